// GET /uploads/group/{name} and /uploads/user/{name}: the logos and user pictures uploaded as
// image_upload, where CKAN serves them and where image_display_url points. They are public, as in
// CKAN (an organization's logo shows on its public page).
import Router, { type RouterMiddleware } from '@koa/router';
import type { Kernel } from '../app.ts';
import { imageKey, isStoredImage, type ImageOwner } from '../storage/image-upload.ts';
import { mimetypeFromExtension } from '../storage/mimetype.ts';
import { sendStoredFile } from './send-stored-file.ts';

export function imageRouter(kernel: Kernel): Router {
  const { fileStore } = kernel.container.cradle;
  const router = new Router();
  const serve =
    (owner: ImageOwner): RouterMiddleware =>
    async (ctx) => {
      const filename = String(ctx.params.filename);
      if (!isStoredImage(filename)) {
        ctx.status = 404;
        ctx.body = 'Not found';
        return;
      }
      // The name ends in the extension of the type found in the bytes when it was uploaded.
      const mimetype = mimetypeFromExtension(filename) ?? 'application/octet-stream';
      ctx.set('Cache-Control', 'public, max-age=86400');
      await sendStoredFile(ctx, fileStore, { key: imageKey(owner, filename), filename, mimetype, size: -1, sha256: '' });
    };
  router.get('/uploads/group/:filename', serve('group'));
  router.get('/uploads/user/:filename', serve('user'));
  return router;
}
