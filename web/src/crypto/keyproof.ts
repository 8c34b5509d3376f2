/**
 * Proof of the link's key between two peers, before either shares anything (issue 14, finding 4).
 * The proof key is HKDF-SHA-256(content key, salt "keyproof", info "p2p-share/v1/keyproof"): a
 * label of its own, so a proof never equals anything the content key encrypts or seals. A proof
 * is HMAC-SHA-256(proof key, label ‖ room ‖ prover id ‖ verifier id ‖ verifier's challenge ‖
 * prover's nonce), every variable part length-prefixed: it binds both fresh nonces, both peer ids
 * (set by the signaling node, never by the peer) and the room, so it cannot be replayed to another
 * peer, reflected back to its maker, or moved to another room.
 * Synchronous (noble): the handshake handles each signal in arrival order with no await, and it
 * works where WebCrypto is missing (non-secure contexts, see fallback.ts).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './bytes';

export const PROOF_NONCE_BYTES = 32;
export const PROOF_MAC_BYTES = 32;
const PROOF_SALT = utf8('keyproof');
const PROOF_INFO = utf8('p2p-share/v1/keyproof');
const PROOF_LABEL = utf8('p2p-share key proof v1');
/** Domain separation of the sender's signature over a proof exchange (see signerStatement). */
const SIGNER_LABEL = utf8('p2p-share signer proof v1');

export function deriveProofKey(contentKey: Uint8Array): Uint8Array {
  return hkdf(sha256, contentKey, PROOF_SALT, PROOF_INFO, 32);
}

export function newProofNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(PROOF_NONCE_BYTES));
}

export interface ProofInput {
  room: string;
  prover: string;
  verifier: string;
  /** the nonce the verifier sent (its challenge) */
  challenge: Uint8Array;
  /** the prover's own fresh nonce */
  nonce: Uint8Array;
}

function lengthPrefixed(b: Uint8Array): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, b.length);
  return concatBytes(len, b);
}

function statement(label: Uint8Array, p: ProofInput): Uint8Array {
  return concatBytes(
    label,
    lengthPrefixed(utf8(p.room)),
    lengthPrefixed(utf8(p.prover)),
    lengthPrefixed(utf8(p.verifier)),
    lengthPrefixed(p.challenge),
    lengthPrefixed(p.nonce),
  );
}

export function proofMac(proofKey: Uint8Array, p: ProofInput): Uint8Array {
  return hmac(sha256, proofKey, statement(PROOF_LABEL, p));
}

/**
 * What the share's sender signs (with its manifest key) next to each proof it sends: the same
 * fields under a label of its own. A receiver whose key proof fails against a peer that signs
 * this for the link's signer hash talks to the real sender, so its own key is the wrong one.
 */
export function signerStatement(p: ProofInput): Uint8Array {
  return statement(SIGNER_LABEL, p);
}

/** Constant-time comparison (time depends on the length only, never on where bytes differ). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function verifyProof(proofKey: Uint8Array, p: ProofInput, mac: Uint8Array): boolean {
  return equalBytes(proofMac(proofKey, p), mac);
}
