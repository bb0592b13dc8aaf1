import type { FastifyInstance } from 'fastify';
import type { ConfiguredSource } from '../webhooks/alert-intake';
import type { TokenDirectory } from './token-directory';
import { requireBearer } from './bearer-auth';

export interface SourceRouteDeps {
  sources: ReadonlyMap<string, ConfiguredSource>;
  tokens: TokenDirectory;
}

/** What `GET /v1/sources` says about one source: its settings, never its credentials. */
export interface SourceListing {
  name: string;
  kind: string;
  builtIn: boolean;
  /** Path of its endpoint, and the URL as the caller reached this server. */
  path: string;
  url: string;
  grouping: ConfiguredSource['grouping'];
  rateLimitPerMinute?: number;
  dedupeRetentionDays: number;
  routingRules: number;
}

/** `GET /v1/sources` behind the API bearer token: the configured alert sources and where each sender should POST. */
export function registerSourceRoutes(app: FastifyInstance, deps: SourceRouteDeps): void {
  void app.register(async (api) => {
    requireBearer(api, deps.tokens);

    api.get('/v1/sources', async (request) => {
      // The Host the caller used is the address it can reach; with trustProxy off, protocol is the socket's own.
      const origin = `${request.protocol}://${request.host}`;
      const sources: SourceListing[] = [...deps.sources.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((s) => ({
          name: s.name,
          kind: s.kind.kind,
          builtIn: s.builtIn,
          path: `/v1/alerts/${s.name}`,
          url: `${origin}/v1/alerts/${s.name}`,
          grouping: s.grouping,
          rateLimitPerMinute: s.rateLimitPerMinute,
          dedupeRetentionDays: s.dedupeRetentionDays,
          routingRules: s.routing.length,
        }));
      return { sources };
    });
  });
}
