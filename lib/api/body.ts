import 'server-only';
import type { z } from 'zod';
import { fieldErrors } from '@/lib/validation/auth';
import { ApiError, validationFailed } from './errors';

/** No request body of ours comes near this; anything bigger is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

async function readCapped(request: Request): Promise<Uint8Array> {
  const tooLarge = new ApiError(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`);
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) throw tooLarge;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The request's JSON body: 415 without a JSON content type, 413 when too big, 400 when not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  if (!JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON, with Content-Type: application/json.');
  }
  const bytes = await readCapped(request);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON.');
  }
}

/** The body, validated: 422 with a message per field, or for a body that is not a JSON object. */
export async function readBody<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<z.output<Schema>> {
  const raw = await readJson(request);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw validationFailed({ body: 'The body must be a JSON object.' }, 'The body must be a JSON object.');
  }
  const parsed = await schema.safeParseAsync(raw);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error));
  return parsed.data;
}
