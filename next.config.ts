import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } from 'next/constants';
import type { NextConfig } from 'next';
import { SecretError, ensureDevSecret, requireProductionSecret } from './lib/config/secret';
import { staticSecurityHeaders } from './lib/security/headers';


const config: NextConfig = {
  poweredByHeader: false,
  // piscina starts worker threads from files on disk; bundling it would break its own paths.
  // React Email renders with react-dom/server, which Next refuses inside its server bundle.
  serverExternalPackages: ['piscina', '@react-email/render'],
  async headers() {
    return [{ source: '/:path*', headers: staticSecurityHeaders() }];
  },
};

export default function nextConfig(phase: string): NextConfig {
  try {
    if (phase === PHASE_PRODUCTION_SERVER) requireProductionSecret();
    if (phase === PHASE_DEVELOPMENT_SERVER) ensureDevSecret();
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    console.error(`Gatehouse cannot start: ${error.message}`);
    process.exit(1);
  }
  return config;
}
