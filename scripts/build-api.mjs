// `npm run build`'s second step (after `next build`): the API bundle (api-bundle.mjs).
import { buildApi } from './api-bundle.mjs';

await buildApi();
