/**
 * The key-proof handshake over `signal` (issue 14, finding 4): before a peer gets an SDP, an ICE
 * candidate or anything on a data channel from us, it proves it holds the link's key, and we
 * prove it to it. Client-level payloads inside the opaque `signal.data`:
 *   {kp:"hello", n}        our challenge to a peer: a fresh random nonce (one per peer)
 *   {kp:"proof", n, mac}   an answer: our own nonce n and proofMac(prover = us, verifier = them,
 *                          challenge = their nonce, nonce = n) — see crypto/keyproof.ts
 * Flow (either side may start, signals may overtake peer-joined): each side sends `hello` to the
 * peers it wants; a `hello` is answered with a `proof`; a valid `proof` proves its sender, and
 * carries the sender's nonce, which is answered with our proof if we had not yet (so a lost or
 * overtaken hello costs one message, not a deadlock). Both sides' proofs precede their SDP,
 * because a side links only after it checked the other's proof and its own proof went out
 * earlier (the signals of one sender arrive in order).
 *   {kp:"signer", n, pub, sig}  sent by the share's sender only, after each proof: its manifest
 *                          key's signature over the same exchange (keyproof.ts signerStatement)
 * A receiver whose link carries a damaged content key fails every proof; when a peer it refused
 * shows the link's signer's signature over this very exchange (our fresh challenge), that peer is
 * the sender and our key is the wrong one: `onWrongKey`. A stranger cannot sign as the link's
 * signer, so it cannot make an honest receiver show "wrong key". (A receiver's first challenge
 * reaches the sender before the receiver's own proof does, so the sender answers it — with its
 * proof and its signature — before it can have refused that receiver.)
 * What a peer without the key gets: one proof per challenge it sends (at most
 * MAX_ANSWERS_PER_PEER), nothing else. Each of our challenges is checked once: a wrong proof
 * marks the peer refused until it leaves. Nothing here allocates per message beyond the fixed
 * per-peer state, and that state is bounded by MAX_TRACKED_PEERS.
 */
import { fromBase64Url, toBase64Url } from '../crypto/bytes';
import { newProofNonce, proofMac, signerStatement, verifyProof } from '../crypto/keyproof';
import { verifyKeyProofSignature } from '../crypto/signing';

/** Challenges of one peer we answer (its re-sends after lossy resumes or the background included). */
export const MAX_ANSWERS_PER_PEER = 8;
/** Peers with handshake state at once (the server's MAX_PEERS_PER_ROOM default is 64). */
export const MAX_TRACKED_PEERS = 512;

export type KeyProofMessage =
  | { kp: 'hello'; n: string }
  | { kp: 'proof'; n: string; mac: string }
  | { kp: 'signer'; n: string; pub: string; sig: string };

const B64_32 = /^[A-Za-z0-9_-]{43}$/;
/** base64url of a raw P-256 public key (65 bytes) and of a P1363 signature (64 bytes) */
const B64_65 = /^[A-Za-z0-9_-]{87}$/;
const B64_64 = /^[A-Za-z0-9_-]{86}$/;

/** The sender's side of the signer proof: it signs what it proves (crypto/signing.ts). */
export interface SignerIdentity {
  /** base64url raw public key */
  publicKey: string;
  signKeyProof(statement: Uint8Array): Promise<string>;
}

/** A receiver's side: the link's signer hash, and what to do when the signer refused our key. */
export interface SignerCheck {
  signerHash: string;
  onWrongKey(peerId: string): void;
}

/** Whether a signal's data is a key-proof message (of the right shape; anything else is not). */
export function isKeyProofMessage(data: unknown): data is KeyProofMessage {
  if (typeof data !== 'object' || data === null) return false;
  const o = data as Record<string, unknown>;
  if (typeof o.n !== 'string' || !B64_32.test(o.n)) return false;
  if (o.kp === 'hello') return Object.keys(o).length === 2;
  if (o.kp === 'proof')
    return typeof o.mac === 'string' && B64_32.test(o.mac) && Object.keys(o).length === 3;
  if (o.kp === 'signer')
    return (
      typeof o.pub === 'string' &&
      B64_65.test(o.pub) &&
      typeof o.sig === 'string' &&
      B64_64.test(o.sig) &&
      Object.keys(o).length === 4
    );
  return false;
}

/** Whether a signal claims to be key-proof traffic at all (well-formed or not). */
export function looksLikeKeyProof(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'kp' in data;
}

interface PeerState {
  /** our challenge to this peer, sent in `hello` and as the nonce of our proofs */
  nonce: Uint8Array;
  /** our challenge was not yet checked against a proof (each is checked once) */
  pending: boolean;
  proven: boolean;
  refused: boolean;
  /** challenges of this peer we answered */
  answers: number;
  /** the last challenge of this peer we answered (base64url) */
  answered: string | null;
  /** a signer message of this refused peer was checked (each refused peer gets one look) */
  signerChecked: boolean;
}

export interface HandshakeStats {
  proven: number;
  /** peers whose proof was wrong */
  refused: number;
  /** key-proof messages ignored (malformed, unasked, from a refused peer, over the bounds) */
  ignored: number;
}

export class KeyProofHandshake {
  private readonly peers = new Map<string, PeerState>();
  readonly stats: HandshakeStats = { proven: 0, refused: 0, ignored: 0 };

  constructor(
    private readonly proofKey: Uint8Array,
    private readonly room: string,
    /** our peer id (from welcome); null before it */
    private readonly self: () => string | null,
    private readonly send: (to: string, data: KeyProofMessage) => void,
    /** a peer proved it holds the key (called once per peer) */
    private readonly onProven: (peerId: string) => void,
    /** the share's sender signs each proof it sends */
    private readonly identity: SignerIdentity | null = null,
    /** receivers: tell a damaged key from a stranger by the link's signer */
    private readonly signerCheck: SignerCheck | null = null,
  ) {}

  proven(peerId: string): boolean {
    return this.peers.get(peerId)?.proven ?? false;
  }

  refused(peerId: string): boolean {
    return this.peers.get(peerId)?.refused ?? false;
  }

  /**
   * Challenges a peer we want to link with (once; `again` re-sends the same pending challenge,
   * for when our signaling may have lost the answer).
   */
  challenge(peerId: string, again = false): void {
    const known = this.peers.has(peerId);
    const st = this.state(peerId);
    if (!st || st.proven || st.refused || !st.pending) return;
    if (known && !again) return;
    this.send(peerId, { kp: 'hello', n: toBase64Url(st.nonce) });
  }

  /** Re-sends our pending challenges (our signaling resumed and may have lost answers). */
  rechallengeAll(): void {
    for (const id of this.peers.keys()) this.challenge(id, true);
  }

  /** The peer left the room: its state goes (a peer that comes back proves itself again). */
  forget(peerId: string): void {
    this.peers.delete(peerId);
  }

  handle(from: string, data: unknown): void {
    if (!isKeyProofMessage(data) || from === this.self()) {
      this.stats.ignored++;
      return;
    }
    const st = this.state(from);
    if (!st) {
      this.stats.ignored++;
      return;
    }
    if (st.refused) {
      if (data.kp === 'signer') this.checkSigner(from, st, data);
      else this.stats.ignored++;
      return;
    }
    if (data.kp === 'hello') {
      this.answer(from, st, data.n);
      return;
    }
    if (data.kp === 'signer') {
      // only a refused peer's signature says anything (our key is wrong); proven ones need none
      this.stats.ignored++;
      return;
    }
    if (!st.proven) {
      if (!st.pending) {
        this.stats.ignored++;
        return;
      }
      st.pending = false;
      const ok = verifyProof(
        this.proofKey,
        {
          room: this.room,
          prover: from,
          verifier: this.self() ?? '',
          challenge: st.nonce,
          nonce: fromBase64Url(data.n),
        },
        fromBase64Url(data.mac),
      );
      if (!ok) {
        st.refused = true;
        this.stats.refused++;
        return;
      }
      // answer its nonce first, so our proof travels ahead of anything the link sends
      if (st.answered !== data.n) this.answer(from, st, data.n);
      st.proven = true;
      this.stats.proven++;
      this.onProven(from);
      return;
    }
    // a proven peer's proof carrying a challenge we have not answered: answer it
    if (st.answered !== data.n) this.answer(from, st, data.n);
    else this.stats.ignored++;
  }

  /** Answers a challenge: our proof and, if we are the share's signer, our signature over it. */
  private answer(to: string, st: PeerState, challenge: string): void {
    const me = this.self();
    if (!me || st.answers >= MAX_ANSWERS_PER_PEER) {
      this.stats.ignored++;
      return;
    }
    st.answers++;
    st.answered = challenge;
    const exchange = {
      room: this.room,
      prover: me,
      verifier: to,
      challenge: fromBase64Url(challenge),
      nonce: st.nonce,
    };
    const n = toBase64Url(st.nonce);
    this.send(to, { kp: 'proof', n, mac: toBase64Url(proofMac(this.proofKey, exchange)) });
    const id = this.identity;
    if (id)
      void id
        .signKeyProof(signerStatement(exchange))
        .then((sig) => this.send(to, { kp: 'signer', n, pub: id.publicKey, sig }));
  }

  /** A refused peer's signature over our challenge by the link's signer: our key is wrong. */
  private checkSigner(
    from: string,
    st: PeerState,
    m: Extract<KeyProofMessage, { kp: 'signer' }>,
  ): void {
    const check = this.signerCheck;
    if (!check || st.signerChecked) {
      this.stats.ignored++;
      return;
    }
    st.signerChecked = true;
    const statement = signerStatement({
      room: this.room,
      prover: from,
      verifier: this.self() ?? '',
      challenge: st.nonce,
      nonce: fromBase64Url(m.n),
    });
    if (
      verifyKeyProofSignature(
        fromBase64Url(m.pub),
        fromBase64Url(m.sig),
        statement,
        check.signerHash,
      )
    )
      check.onWrongKey(from);
    else this.stats.ignored++;
  }

  private state(peerId: string): PeerState | null {
    let st = this.peers.get(peerId);
    if (st) return st;
    if (this.peers.size >= MAX_TRACKED_PEERS) return null;
    st = {
      nonce: newProofNonce(),
      pending: true,
      proven: false,
      refused: false,
      answers: 0,
      answered: null,
      signerChecked: false,
    };
    this.peers.set(peerId, st);
    return st;
  }

  debug(): Record<string, unknown> {
    return {
      ...this.stats,
      peers: [...this.peers.entries()].map(([id, s]) => ({
        id,
        proven: s.proven,
        refused: s.refused,
        pending: s.pending,
        answers: s.answers,
      })),
    };
  }
}
