// The page's writing side: who is logged in, and (for editors) adding, editing and removing entities.
import { loadSession, showAccount } from './account.js';

const session = await loadSession();
showAccount(document.querySelector('.bar .tools'), session);
