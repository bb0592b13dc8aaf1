import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clearCookie, FLASH_COOKIE, readCookie, setCookie } from './cookies';
import type { CookieSealer } from './session';

/**
 * What a form's answer shows on the page it redirects to (Post/Redirect/Get): done, or refused with the code. `form`
 * keeps what the person typed into a refused form, so the page offers it again.
 */
export const Flash = z.object({
  kind: z.enum(['done', 'refused']),
  text: z.string(),
  code: z.string().optional(),
  /** The console path it is for; another page leaves it for its own. */
  path: z.string(),
  /** The session it was set in (absent before sign-in): another session never sees it. */
  sid: z.string().optional(),
  form: z.record(z.string(), z.string()).optional(),
  exp: z.number().int(),
});
export type Flash = z.infer<typeof Flash>;

const FLASH_SECONDS = 60;
/** Browsers drop a cookie over 4 KB: above this, the typed form is left out and only the outcome is kept. */
const MAX_SEALED = 3_500;

/**
 * Redirects to `to` (default the flash's path; 303, so the browser follows with a GET and a reload never posts the form
 * again), with the flash for that page.
 */
export function redirectWithFlash(reply: FastifyReply, sealer: CookieSealer, flash: Omit<Flash, 'exp'>, to = flash.path): FastifyReply {
  const exp = Date.now() + FLASH_SECONDS * 1000;
  let sealed = sealer.seal('flash', { ...flash, exp });
  if (sealed.length > MAX_SEALED) sealed = sealer.seal('flash', { ...flash, form: undefined, exp });
  setCookie(reply, FLASH_COOKIE, sealed, '/console', FLASH_SECONDS);
  return reply.redirect(to, 303);
}

/** The flash for this page and session, once: it is cleared as it is read, so a reload shows the page without it. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply, sealer: CookieSealer, path: string, sid?: string): Flash | undefined {
  const flash = sealer.unseal('flash', Flash, readCookie(request, FLASH_COOKIE));
  if (!flash || flash.path !== path || flash.sid !== sid) return undefined;
  clearCookie(reply, FLASH_COOKIE, '/console');
  return flash;
}
