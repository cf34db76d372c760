import 'server-only';
import QRCode from 'qrcode';

/**
 * A QR code as an SVG string, drawn on the server (nothing is fetched, and the secret inside it
 * never leaves for a third-party service). qrcode is the long-standing implementation of the
 * QR standard for Node; error correction M, as authenticator apps scan it.
 */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1, color: { dark: '#0f172a', light: '#ffffff' } });
}
