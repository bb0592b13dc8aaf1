import type { Logger } from 'pino';

/**
 * The structured logger every layer takes as a dependency. Only `worker/logging.ts` creates one (the redacting JSON
 * sink); everything else receives it, so this module holds the type alone.
 */
export type { Logger };
