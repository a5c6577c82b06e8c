/** Uploading a track: POST /media for a presigned PUT, the PUT with progress (XMLHttpRequest), then POST /tracks. */
import type { CreateMediaResponse } from '#contract/routes';
import type { ApiClient } from './api-client.ts';

/** A track as the API shows it. */
export interface TrackView {
  trackId: string;
  title: string;
  programUrl: string;
  contentType: string;
  sizeBytes: number;
  createdAt: string;
  /** Measured shortly after the track was created. */
  loudness?: { integratedLufs: number; truePeakDbtp: number };
  loudnessError?: string;
}

/** Content types the API accepts, by file extension (for files the browser gives no usable type). */
const TYPES_BY_EXTENSION: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
};
const ACCEPTED_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/mpeg', 'audio/ogg', 'audio/opus', 'audio/mp4', 'audio/x-m4a', 'audio/aac']);

/** The content type to declare for a file; throws when it is not a kind of audio the controller plays. */
export function contentTypeFor(file: { name: string; type: string }): string {
  if (ACCEPTED_TYPES.has(file.type)) return file.type;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const byExtension = TYPES_BY_EXTENSION[extension];
  if (!byExtension) throw new Error(`${file.name}: not a supported audio file (wav, mp3, ogg/opus, m4a).`);
  return byExtension;
}

/** A title from a file name (`intro-jingle.wav` → `intro-jingle`). */
export const titleFor = (fileName: string): string => fileName.replace(/\.[^.]+$/, '').slice(0, 200) || fileName.slice(0, 200);

/** PUTs a file to a presigned URL, reporting progress (0 to 1). */
export function putWithProgress(url: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new Error(`The upload was refused (HTTP ${xhr.status}).`));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload failed (network).')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(file);
  });
}

/** Uploads one file and registers it as a track. */
export async function uploadTrack(api: ApiClient, file: File, onProgress: (fraction: number) => void): Promise<TrackView> {
  const contentType = contentTypeFor(file);
  const media = await api.request<CreateMediaResponse>('POST', '/media', { fileName: file.name.slice(0, 200), contentType, sizeBytes: file.size });
  await putWithProgress(media.uploadUrl, file, media.uploadHeaders['content-type'] ?? contentType, onProgress);
  return await api.request<TrackView>('POST', '/tracks', {
    title: titleFor(file.name),
    programUrl: media.programUrl,
    contentType,
    sizeBytes: file.size,
  });
}
