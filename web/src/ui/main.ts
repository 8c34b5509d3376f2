/**
 * The page: `/` is the sender (sender-page.ts), `/r/<room>#<key>` the receiver (receiver-page.ts).
 * Test switches (?node, ?plain, ?storage, ?quota, ?rate, ?loopback, ?relay, ?corruptSend,
 * the page objects tests read) exist only in the test build: see testing/hooks.ts.
 */
import './style.css';
import { installSubtleFallback } from '../crypto/fallback';
import { setDirectFirst, setForceRelay, setLoopbackOnly } from '../peer/ice-flags';
import { mountHistory } from './history-view';
import { hooks } from './hooks';
import { receiverPage } from './receiver-page';
import { senderPage } from './sender-page';

// http://<LAN address> is not a secure context: no crypto.subtle there without the fallback
installSubtleFallback();

setLoopbackOnly(hooks.loopbackOnly);
setForceRelay(hooks.forceRelay);
setDirectFirst(hooks.directFirst);
const app = document.getElementById('app')!;

const m = location.pathname.match(/^\/r\/([A-Za-z0-9_-]{16,64})\/?$/);
mountHistory(m ? receiverPage(app, hooks.nodeUrl, m[1]!) : senderPage(app, hooks.nodeUrl)); // issue 8: offline/update banners, install, history, analytics consent
