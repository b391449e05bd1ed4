/** Pure decisions: output sizes, and whether an event should (re)write a thumbnail. */

import { FORMATS, LIMITS, unstoppableEncodeMsOf } from './constants';
import { DECISION, type Decision, type Dimensions, type PlannedThumbnail, type ThumbnailProvenance, type ThumbnailTarget } from './types';

/**
 * Output size for each target, for a source of `source` dimensions (as displayed), never upscaled:
 * - width only: the rendition's width, or the source's if smaller, and the height that keeps the
 *   aspect ratio (at least one pixel); a very tall source is narrowed further so that no output
 *   exceeds `maxOutputPixels`, nor its format's `maxPixels` (AVIF: see FORMATS);
 * - width and height, `inside`: the largest size with the source's aspect ratio within the box;
 * - width and height, `cover`: exactly the box (or the source, where it is smaller), cut from the
 *   centre of the source scaled to cover it.
 */
export function planSizes(
  source: Dimensions,
  targets: readonly ThumbnailTarget[],
  maxOutputPixels = LIMITS.maxOutputPixels,
): PlannedThumbnail[] {
  if (!(source.width > 0 && source.height > 0)) throw new RangeError(`invalid source size ${source.width}x${source.height}`);
  const heightAt = (width: number) => Math.max(1, Math.round((source.height * width) / source.width));
  return targets.map((target) => {
    const { width: boxWidth, height: boxHeight, fit } = target.rendition;
    if (boxHeight !== undefined && fit === 'cover') {
      const scale = Math.min(1, Math.max(boxWidth / source.width, boxHeight / source.height));
      return {
        ...target,
        width: Math.min(boxWidth, Math.max(1, Math.round(source.width * scale))),
        height: Math.min(boxHeight, Math.max(1, Math.round(source.height * scale))),
        scale,
        crop: true,
      };
    }
    if (boxHeight !== undefined) {
      const scale = Math.min(1, boxWidth / source.width, boxHeight / source.height);
      return {
        ...target,
        width: Math.max(1, Math.round(source.width * scale)),
        height: Math.max(1, Math.round(source.height * scale)),
        scale,
        crop: false,
      };
    }
    const maxPixels = Math.min(maxOutputPixels, FORMATS[target.rendition.format].maxPixels);
    let width = Math.min(boxWidth, source.width);
    if (width * heightAt(width) > maxPixels) width = Math.max(1, Math.floor(Math.sqrt((maxPixels * source.width) / source.height)));
    while (width > 1 && width * heightAt(width) > maxPixels) width--;
    return { ...target, width, height: heightAt(width), scale: width / source.width, crop: false };
  });
}

/**
 * Estimated time of the encodes libvips' deadline cannot stop (AVIF), on the reference machine:
 * it must be left before rendering starts.
 */
export function unstoppableEncodeMs(planned: readonly PlannedThumbnail[]): number {
  return planned.reduce((sum, output) => sum + unstoppableEncodeMsOf(output.rendition.format, output.width * output.height), 0);
}

/**
 * The one image every output is cut from: the source at the largest scale any output needs, or
 * undefined when that image would hold more than `maxPixels` (an extreme aspect ratio cropped at a
 * large size): the outputs are then rendered one by one, each streaming from the source.
 */
export function planIntermediate(
  source: Dimensions,
  planned: readonly PlannedThumbnail[],
  maxPixels = LIMITS.maxOutputPixels,
): Dimensions | undefined {
  const scale = Math.min(1, Math.max(...planned.map((output) => output.scale)));
  const size = { width: Math.max(1, Math.round(source.width * scale)), height: Math.max(1, Math.round(source.height * scale)) };
  return size.width * size.height > maxPixels ? undefined : size;
}

/**
 * Compare two S3 sequencers for the same key: negative if `a` is older, 0 if equal, positive if newer.
 * They are hexadecimal strings of varying length; S3 says to left-pad the shorter with zeros, then
 * compare as strings.
 */
export function compareSequencers(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(length, '0');
  const right = b.toUpperCase().padStart(length, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

interface EventVersion {
  readonly eTag?: string;
  readonly sequencer?: string;
}

interface DeleteEvent extends EventVersion {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Decide what an ObjectCreated event does to one existing thumbnail:
 * write it, or skip because the thumbnail already comes from this event (duplicate delivery)
 * or from a newer one (an old event arriving late).
 */
export function decideWrite(event: EventVersion, existing: ThumbnailProvenance | undefined): Decision {
  if (existing === undefined) return DECISION.write;
  if (event.sequencer !== undefined && existing.sourceSequencer !== undefined) {
    const order = compareSequencers(event.sequencer, existing.sourceSequencer);
    if (order < 0) return DECISION.stale;
    if (order > 0) return DECISION.write;
    return DECISION.duplicate;
  }
  // Without sequencers to order them, only an identical source can be recognised.
  if (event.eTag !== undefined && existing.sourceEtag === event.eTag) return DECISION.duplicate;
  // A record without a sequencer (a backfill task) never replaces a thumbnail that an upload's
  // notification made from another version: that upload is newer than the backfill's look at the
  // original, or its own event (or recorded failure) will settle the thumbnail.
  if (event.sequencer === undefined && existing.sourceSequencer !== undefined) return DECISION.stale;
  return DECISION.write;
}

/**
 * Decide whether an ObjectRemoved event deletes one existing thumbnail: only when the thumbnail's
 * provenance names the deleted original, and not when it was made from an upload newer than the
 * delete (the key was re-uploaded since).
 */
export function decideDelete(event: DeleteEvent, existing: ThumbnailProvenance | undefined): boolean {
  if (existing === undefined) return false;
  if (existing.sourceKey !== event.key) return false;
  if (existing.sourceBucket !== undefined && existing.sourceBucket !== event.bucket) return false;
  if (event.sequencer === undefined || existing.sourceSequencer === undefined) return true;
  return compareSequencers(event.sequencer, existing.sourceSequencer) > 0;
}
