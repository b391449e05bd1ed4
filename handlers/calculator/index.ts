/** The seed notes' first Lambda: given {"x": 10, "y": 2}, log x and y and return {"result": 5}. */

import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { divide, parseInput } from './input';

const logger = new Logger({ serviceName: 'calculator' });

export async function handler(event: unknown, context: Context): Promise<{ result: number }> {
  logger.addContext(context);
  const input = parseInput(event);
  logger.info('dividing', { x: input.x, y: input.y });
  return { result: divide(input) };
}
