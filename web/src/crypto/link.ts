/**
 * The share link's fragment (v2): `#<content key>.<signer hash>`, both base64url of 32 bytes.
 * The content key encrypts (HKDF per file, sealed manifest, key proof); the signer hash names
 * the only public key whose signature a manifest may carry. Links of the older one-part format
 * are refused with a clear message (they have no signer to check manifests against).
 */
import { fromBase64Url } from './bytes';
import { parseRoomKey, WrongKeyError } from './keys';
import { SIGNER_HASH_BYTES } from './signing';

export interface LinkSecrets {
  /** raw 32-byte content key */
  key: Uint8Array;
  /** base64url SHA-256 of the sender's public signing key */
  signer: string;
}

export function linkFragment(key: string, signerHash: string): string {
  return `${key}.${signerHash}`;
}

export function parseLinkFragment(text: string | null | undefined): LinkSecrets {
  if (!text) throw new WrongKeyError('This link has no key: copy the whole link, including #…');
  const parts = text.split('.');
  if (parts.length !== 2)
    throw new WrongKeyError(
      'This link is incomplete or from an older version: ask the sender for a new link',
    );
  const key = parseRoomKey(parts[0]);
  let signer: Uint8Array;
  try {
    signer = fromBase64Url(parts[1]!);
  } catch {
    throw new WrongKeyError('The link is malformed: copy the whole link again');
  }
  if (signer.length !== SIGNER_HASH_BYTES)
    throw new WrongKeyError('The link is incomplete: copy the whole link again');
  return { key, signer: parts[1]! };
}
