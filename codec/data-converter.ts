import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { Keyring } from './keyring';

/** The data converter for every Client and Worker: encrypted payloads, encoded failure text. */
export function firebreakDataConverter(keyring: Keyring): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring)],
    // The source file, for the worker's webpack: `__dirname` is this source folder also when run from the compiled
    // dist/ (bin/dist.js), where require.resolve would name dist's CommonJS with its node:path shim.
    failureConverterPath: path.join(__dirname, 'failure-converter.ts'),
  };
}
