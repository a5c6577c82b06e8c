/**
 * The episode's chapters in the Podcasting 2.0 JSON chapters format (podcast namespace, "JSON Chapters Format",
 * version 1.2.0): a chapter at each run-of-show item that was played, at its start on the episode's timeline.
 * GET /sessions/{id}/chapters answers this with the format's content type.
 */

/** The format's version and the content type its files are served with. */
export const CHAPTERS_FORMAT_VERSION = '1.2.0';
export const CHAPTERS_CONTENT_TYPE = 'application/json+chapters';

/** One chapter: `startTime` (seconds into the episode) is the format's one required field. */
export interface Chapter {
  startTime: number;
  title?: string;
  img?: string;
  url?: string;
  toc?: boolean;
  endTime?: number;
}

/** A chapters document: `version` and `chapters` (in ascending startTime) are required. */
export interface ChaptersDocument {
  version: string;
  chapters: Chapter[];
  title?: string;
  author?: string;
  podcastName?: string;
  description?: string;
  fileName?: string;
}
