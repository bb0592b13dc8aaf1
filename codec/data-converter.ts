import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { Keyring } from './keyring';

/** The data converter for every Client and Worker: encrypted payloads, encoded failure text. */
export function firebreakDataConverter(keyring: Keyring): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
