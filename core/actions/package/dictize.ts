// Turns validated dataset data plus database lookups into the package dict CKAN clients expect
// (model_dictize.package_dictize + default_show_package_schema). The result is stored as JSON text
// and served byte for byte by package_show and package_search.
import { findLicense, isOpenLicense } from '../../model/licenses.ts';
import type { GroupRow } from '../../model/groups.ts';
import { pgTimestampToIso } from '../../clock.ts';
import type { DataDict } from '../types.ts';

export const RESOURCE_CORE_KEYS = [
  'cache_last_updated', 'cache_url', 'created', 'description', 'format', 'hash', 'id', 'last_modified', 'metadata_modified',
  'mimetype', 'mimetype_inner', 'name', 'package_id', 'position', 'resource_type', 'size', 'state', 'url', 'url_type',
] as const;

/** The organization as embedded in a package dict: a plain table row, no display_name. */
export function organizationForPackage(org: GroupRow | undefined | null): DataDict | null {
  if (!org || org.state !== 'active') return null;
  return {
    approval_status: org.approval_status ?? 'approved',
    created: pgTimestampToIso(org.created),
    description: org.description ?? '',
    id: org.id,
    image_url: org.image_url ?? '',
    is_organization: true,
    name: org.name,
    state: org.state,
    title: org.title ?? '',
    type: org.type,
  };
}

export function groupForPackage(group: GroupRow, siteUrl: string): DataDict {
  return {
    description: group.description ?? '',
    display_name: group.title || group.name,
    id: group.id,
    image_display_url: imageDisplayUrl(group.image_url, siteUrl),
    name: group.name,
    title: group.title ?? '',
  };
}

/** Uploaded images are stored as a bare file name and shown as an absolute URL. */
export function imageDisplayUrl(imageUrl: string | null, siteUrl: string): string {
  if (!imageUrl) return '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(imageUrl)) return imageUrl;
  return `${siteUrl}/uploads/group/${encodeURIComponent(imageUrl)}`;
}

export function licenseFields(licenseId: string | null): DataDict {
  const license = findLicense(licenseId);
  const out: DataDict = {
    isopen: isOpenLicense(license),
    license_title: license ? license.title : (licenseId ?? null),
  };
  if (license?.url) out.license_url = license.url;
  return out;
}

/** CKAN's resource_dictize URL rule: uploads get the download route, scheme-less links get http://. */
export function resourceDisplayUrl(resource: DataDict, packageId: string, siteUrl: string): string {
  const url = typeof resource.url === 'string' ? resource.url : '';
  if (resource.url_type === 'upload') {
    const filename = url.split('/').pop() || 'file';
    return `${siteUrl}/dataset/${packageId}/resource/${resource.id}/download/${encodeURIComponent(filename)}`;
  }
  if (url && !/^[a-z][a-z0-9+.-]*:/i.test(url)) return 'http://' + url.replace(/^\/+/, '');
  return url;
}

/** Sort keys alphabetically (the order ckanapi dump prints), recursively for plain objects. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    const out: DataDict = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as DataDict)[key]);
    return out as T;
  }
  return value;
}
