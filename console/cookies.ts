import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie, for every console path. */
export const SESSION_COOKIE = 'fb_console';
/** The sign-in round trip's PKCE verifier, state and nonce, only for the callback and only for ten minutes. */
export const FLOW_COOKIE = 'fb_oidc';
/** A form's outcome, shown once on the page the form redirects to (see flash.ts). */
export const FLASH_COOKIE = 'fb_flash';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Secure (browsers also keep Secure cookies for http://localhost and 127.0.0.1, the loopback default), HttpOnly so no
 * script reads them, SameSite=Lax so another site's form cannot ride on them while the identity provider's redirect
 * back still carries the flow cookie.
 */
export function setCookie(reply: FastifyReply, name: string, value: string, path: string, maxAgeSeconds: number): void {
  const cookie = `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=Lax`;
  const existing = reply.getHeader('set-cookie');
  reply.header('set-cookie', [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
}

export const clearCookie = (reply: FastifyReply, name: string, path: string): void => setCookie(reply, name, '', path, 0);
