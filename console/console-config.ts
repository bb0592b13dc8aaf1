import { z } from 'zod';

/**
 * The web console's settings. Sign-in is OpenID Connect (authorization code + PKCE) with the organisation's identity
 * provider, whose MFA and SSO policies then apply; on a loopback-only install an API token (the generated admin
 * token) also signs in. Secrets are references (`env:NAME`, `file:PATH`), resolved when the service starts.
 */
export const ConsoleConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** The console's external origin (`https://firebreak.example.com`), for the OIDC redirect; default: the request's host. */
    publicUrl: z.string().url().optional(),
    sessionHours: z.coerce.number().min(0.25).max(24).default(8),
    /** Key for session cookies; default: derived from the admin token, which every replica shares. */
    sessionSecret: z.string().min(1).optional(),
    oidc: z
      .object({
        issuer: z.string().url(),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1).optional(),
        scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
        /** The claim naming the person: matched to `people[].email` (or `people[].id`). */
        personClaim: z.string().min(1).default('email'),
        /** A claim listing the person's groups (e.g. `groups`), mapped to Firebreak roles by `groupRoles`. */
        groupsClaim: z.string().min(1).optional(),
        groupRoles: z.record(z.string(), z.array(z.string().min(1))).default({}),
      })
      .optional(),
  })
  .default({ enabled: true, sessionHours: 8 });
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
