import { unknownRoute } from '@/lib/api/route';

// Anything under /api that no route claims: the API's JSON 404, not an HTML page.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownRoute();
