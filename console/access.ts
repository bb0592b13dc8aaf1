import type { Viewer } from '../ingress/access/read-policy';

export type { Viewer };
