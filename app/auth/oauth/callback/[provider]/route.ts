import { returnFromProvider } from '@/lib/auth/provider-sign-in';

// The address registered at each provider: it sends the person back here (README, "Sign-in providers").
export async function GET(request: Request, { params }: { params: Promise<{ provider: string }> }) {
  return returnFromProvider(request, (await params).provider);
}
