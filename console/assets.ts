import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { REPORT_STYLE } from '../report/html';

/** Files the console serves, from the installed packages and this folder: nothing is fetched from a CDN. */
const FILES: Record<string, { file: () => string; type: string }> = {
  'htmx.min.js': { file: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  'sse.js': { file: () => require.resolve('htmx-ext-sse/dist/sse.min.js'), type: 'text/javascript' },
  'console.js': { file: () => path.join(__dirname, 'assets', 'console.js'), type: 'text/javascript' },
  'console.css': { file: () => path.join(__dirname, 'assets', 'console.css'), type: 'text/css' },
};

export function registerAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get('/console/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    if (name === 'report.css') return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(REPORT_STYLE);
    const asset = Object.hasOwn(FILES, name) ? FILES[name]! : undefined;
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    let body = cache.get(name);
    if (!body) cache.set(name, (body = readFileSync(asset.file())));
    return reply.type(`${asset.type}; charset=utf-8`).header('cache-control', 'public, max-age=300').send(body);
  });
}
