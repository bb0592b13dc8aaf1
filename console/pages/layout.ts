import { h } from './html';

export interface Chrome {
  title: string;
  /** The signed-in person, and the CSRF token their forms carry; absent on the sign-in pages. */
  viewer?: { id: string; name?: string; roles: readonly string[]; csrf: string };
  current?: 'incidents' | 'declare';
}

/** The hidden field every console form carries; the server refuses a POST without the session's token. */
export const csrfField = (csrf: string): string => `<input type="hidden" name="_csrf" value="${h(csrf)}">`;

/**
 * The page shell. Scripts and styles come from `/console/assets/` only (the CSP allows nothing inline and nothing from
 * elsewhere); htmx reads its config from a meta tag and injects no style of its own.
 */
export function layout(chrome: Chrome, body: string): string {
  const nav = chrome.viewer
    ? `<nav aria-label="Console"><a href="/console/incidents"${chrome.current === 'incidents' ? ' aria-current="page"' : ''}>Incidents</a><a href="/console/declare"${chrome.current === 'declare' ? ' aria-current="page"' : ''}>Declare an incident</a></nav>
<div class="who"><span>Signed in as <strong>${h(chrome.viewer.name ?? chrome.viewer.id)}</strong> (${h(chrome.viewer.id)}; ${h(chrome.viewer.roles.join(', ') || 'no roles')})</span>
<form method="post" action="/console/sign-out" class="inline">${csrfField(chrome.viewer.csrf)}<button type="submit">Sign out</button></form></div>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<title>${h(chrome.title)} · Firebreak</title>
<link rel="stylesheet" href="/console/assets/console.css"><link rel="stylesheet" href="/console/assets/report.css">
<script src="/console/assets/htmx.min.js" defer></script><script src="/console/assets/sse.js" defer></script><script src="/console/assets/console.js" defer></script>
</head><body><a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">Firebreak</span>${nav}</header>
<main id="main">${body}</main></body></html>
`;
}
