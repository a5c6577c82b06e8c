/** File names as the last segment of an S3 key: the uploader's name, made harmless. */

/** Longest file name kept in a key. */
export const MAX_SAFE_FILE_NAME_LENGTH = 100;

/**
 * The base name of an uploaded file with only `A-Za-z0-9._-` (others become `_`), no leading dots, at most
 * MAX_SAFE_FILE_NAME_LENGTH characters (the extension kept); `media` when nothing is left.
 */
export function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/_+$/, '');
  if (cleaned === '' || /^\.*$/.test(cleaned)) return 'media';
  if (cleaned.length <= MAX_SAFE_FILE_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, MAX_SAFE_FILE_NAME_LENGTH - extension.length) + extension;
}
