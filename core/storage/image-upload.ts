// Organization and group logos and user pictures sent as `image_upload` (CKAN's lib/uploader.py
// Upload, used by _group_or_org_create/_update and user_create/_update). The file is stored under
// uploads/<group|user>/<name>, its name goes into image_url, and /uploads/<group|user>/<name>
// serves it, which is where CKAN's image_display_url points. Without this a logo sent by a client
// (or by `ckanapi load organizations --upload-logo`) would be dropped silently.
import { ValidationError } from '../errors.ts';
import type { ActionContext, DataDict } from '../actions/types.ts';
import { asBool } from '../actions/params.ts';
import { isUploadedFile, type UploadedFile } from './file-store.ts';
import { foldDiacritics } from '../text/vietnamese.ts';

export type ImageOwner = 'group' | 'user';

/** CKAN's default ckan.upload.{group,user}.mimetypes. SVG stays out: it can carry script. */
const IMAGE_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['image/png', '.png'],
  ['image/gif', '.gif'],
  ['image/jpeg', '.jpg'],
]);

/** What CKAN's munge_filename_legacy leaves of a name: at most 100 characters. */
const MAX_NAME_LENGTH = 100;

export interface PendingImage {
  /**
   * Store the file (in the caller's transaction: removed again on rollback), and let go of the old
   * one once the write that replaced it has committed.
   */
  commit(savedImageUrl: string | null): Promise<void>;
}

/** An image_url naming a file stored here (CKAN: one that does not start with "http"), as names are made. */
export function isStoredImage(imageUrl: unknown): imageUrl is string {
  return typeof imageUrl === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(imageUrl);
}

export function imageKey(owner: ImageOwner, filename: string): string {
  return `uploads/${owner}/${filename}`;
}

/** The site path of an image stored here ("/uploads/group/…"), or null for a URL or nothing. */
export function storedImagePath(owner: ImageOwner, imageUrl: unknown): string | null {
  return isStoredImage(imageUrl) ? `/${imageKey(owner, imageUrl)}` : null;
}

/**
 * Take `image_upload` and `clear_upload` out of the request data before it is validated, as CKAN's
 * update_data_dict does, and set `image_url` from them. The file is written only by commit(), once
 * the write is known to be valid.
 */
export function takeImageUpload(context: ActionContext, owner: ImageOwner, data: DataDict, previousImageUrl: string | null): PendingImage {
  const file: unknown = data.image_upload;
  const clear = asBool(data.clear_upload);
  delete data.image_upload;
  delete data.clear_upload;

  let incoming: { file: UploadedFile; name: string } | null = null;
  if (isUploadedFile(file)) {
    const extension = IMAGE_EXTENSIONS.get(file.mimetype);
    if (!extension) throw new ValidationError({ image_upload: [`Unsupported upload type: ${file.mimetype}`] });
    incoming = { file, name: imageFilename(context.services.clock.nowIso(), file.filename, extension) };
    data.image_url = incoming.name;
  } else if (clear && (data.image_url === undefined || data.image_url === previousImageUrl)) {
    data.image_url = '';
  } else if (isStoredImage(previousImageUrl) && typeof data.image_url === 'string' && data.image_url !== '' && !isAbsoluteUrl(data.image_url)) {
    // A file name that is not ours (another portal's, as `ckanapi load --upload-logo` sends it
    // right after uploading the file, or a later plain `load`) keeps the file stored here, as CKAN
    // did while it knew the old file; a URL or "" still replaces or removes it.
    data.image_url = previousImageUrl;
  }

  return {
    async commit(savedImageUrl) {
      const { fileStore } = context.services;
      if (incoming && savedImageUrl === incoming.name) {
        const key = imageKey(owner, incoming.name);
        await fileStore.commit(incoming.file, key);
        context.onRollback(() => fileStore.remove(key));
      }
      // The old file goes once nothing refers to it (CKAN leaves it on disk for ever).
      if (isStoredImage(previousImageUrl) && savedImageUrl !== previousImageUrl) {
        const oldKey = imageKey(owner, previousImageUrl);
        context.afterCommit(() => fileStore.remove(oldKey));
      }
    },
  };
}

function isAbsoluteUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text);
}

/**
 * "2026-11-21-093000.123456logo-so-y-te.png": the time first, as CKAN names uploaded images, so
 * two uploads never share a name; ASCII only (đ → d, marks dropped) so the name needs no
 * escaping in a URL; the extension is the one of the type found in the bytes.
 */
export function imageFilename(nowIso: string, original: string, extension: string): string {
  const stamp = nowIso.replace('T', '-').replace(/:/g, '');
  const stem = foldDiacritics(original.replace(/\.[^.]*$/, ''))
    .replace(/[^A-Za-z0-9.\- ]/g, '')
    .trim()
    .replace(/ +/g, '-')
    .replace(/-+/g, '-');
  return (stamp + stem).slice(0, MAX_NAME_LENGTH - extension.length) + extension;
}
