/**
 * A check of the Podcasting 2.0 JSON chapters format (podcast namespace, docs/examples/chapters/jsonChapters.md,
 * "JSON Chapters Format Version 1.2"), written from the spec for the tests: a document has `version` (string)
 * and `chapters` (array), optional `author`, `title`, `podcastName`, `description`, `fileName` (strings) and
 * `waypoints` (boolean); a chapter has `startTime` (number, required), optional `title`, `img`, `url` (strings),
 * `toc` (boolean), `endTime` (number) and `location` ({name, geo}); chapters are in ascending startTime.
 */
import { z } from 'zod';

const Chapter = z.looseObject({
  startTime: z.number().finite().min(0),
  title: z.string().optional(),
  img: z.string().optional(),
  url: z.string().optional(),
  toc: z.boolean().optional(),
  endTime: z.number().finite().min(0).optional(),
  location: z.strictObject({ name: z.string(), geo: z.string() }).optional(),
});

export const PodcastChaptersDocument = z
  .looseObject({
    version: z.string().regex(/^\d+\.\d+(\.\d+)?$/),
    chapters: z.array(Chapter),
    author: z.string().optional(),
    title: z.string().optional(),
    podcastName: z.string().optional(),
    description: z.string().optional(),
    fileName: z.string().optional(),
    waypoints: z.boolean().optional(),
  })
  .refine((doc) => doc.chapters.every((c, i) => i === 0 || c.startTime >= doc.chapters[i - 1]!.startTime), 'chapters are not in ascending startTime');

/** The problems of a document against the format (none: it validates). */
export function chaptersFormatProblems(document: unknown): string[] {
  const result = PodcastChaptersDocument.safeParse(document);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
