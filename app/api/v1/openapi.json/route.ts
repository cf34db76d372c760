import { json } from '@/lib/api/errors';
import { openApiDocument } from '@/lib/api/openapi';
import { apiRoute } from '@/lib/api/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async GET() {
    return json(openApiDocument());
  },
});
