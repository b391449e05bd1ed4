/** Run before every test file (vitest's setupFiles): what the file's tests leave in temporary folders is removed after it. */

import { afterAll } from 'vitest';
import { removeTempDirs } from './tmp';

afterAll(removeTempDirs);
