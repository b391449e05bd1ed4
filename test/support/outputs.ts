/** Output keys as the default configuration names them. */

import { DEFAULTS, type Rendition } from '../../handlers/thumbnail/constants';
import { renditionKey } from '../../handlers/thumbnail/keys';

/** The default rendition: the 100 px JPEG `<stem>-thumbnail.jpg`. */
export const DEFAULT_RENDITION = DEFAULTS.renditions[0] as Rendition;

/** The key of an original's thumbnail under the default configuration. */
export const thumbnailKeyOf = (key: string): string => renditionKey(key, DEFAULT_RENDITION);
