import { startProviderSignIn } from '@/lib/auth/provider-sign-in';

// "Continue with …", "Connect" and "Confirm it's you" with a sign-in provider post here.
export const POST = (request: Request) => startProviderSignIn(request);
