import { DefaultFailureConverter } from '@temporalio/common';

/*
 * Loaded by path into the workflow sandbox as well as the client. With encodeCommonAttributes, failure messages and
 * stack traces move into an encoded payload (and so through the encryption codec): error text can echo alert content.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
