// The viewer's entry point: reads the address, renders the page it names, and keeps the header
// up to date. Each page is a view module with render(main, route, context).
/* global document, window, history */
import { api, rememberToken } from './api.mjs';
import { h, notice, replaceChildren } from './dom.mjs';
import { parseRoute, routeHash } from './route.mjs';
import { renderTraceList } from './views/trace-list.mjs';
import { forgetTrace, renderTracePage } from './views/trace-page.mjs';
import { renderAudit } from './views/audit.mjs';

const main = document.getElementById('main');
let renderCount = 0;
let lastPageKey;

/** Goes to another page state; the hashchange that follows renders it. */
function navigate(route) {
  const hash = routeHash(route);
  if (hash === window.location.hash) refresh();
  else window.location.hash = hash;
}

async function render() {
  const route = parseRoute(window.location.hash);
  if (route.token) {
    // The token arrived in the address: keep it for this tab and take it out of the address bar.
    rememberToken(route.token);
    history.replaceState(null, '', routeHash(route));
  }
  markNavigation(route.view);
  if (route.view !== 'trace') forgetTrace();
  const renderId = ++renderCount;
  // A slower page that finishes after the user moved on must not paint over the newer one.
  const context = { navigate, refresh, isCurrent: () => renderId === renderCount };
  const pageKey = `${route.view}/${route.traceId || ''}/${route.tab || ''}`;
  try {
    if (route.view === 'traces') await renderTraceList(main, route, context);
    else if (route.view === 'trace') await renderTracePage(main, route, context);
    else if (route.view === 'audit') await renderAudit(main, route, context);
    else {
      document.title = 'Not found · Threadline';
      replaceChildren(main, h('h1', null, 'Page not found'), notice('empty', `Nothing lives at "${route.path}". `, h('a', { href: '#/' }, 'Back to the trace list')));
    }
  } catch (error) {
    if (!context.isCurrent()) return;
    replaceChildren(main, h('h1', null, 'Something went wrong'), notice('error', error.message || String(error)));
  }
  // Moving to another page puts keyboard and screen-reader focus at its start, as a page load
  // would; a refresh of the same page leaves focus where it was.
  if (context.isCurrent() && lastPageKey !== undefined && pageKey !== lastPageKey) main.focus();
  if (context.isCurrent()) lastPageKey = pageKey;
}

function refresh() {
  void render();
  void showStats();
}

function markNavigation(view) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    const active = link.dataset.nav === view || (view === 'trace' && link.dataset.nav === 'traces');
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function showStats() {
  const target = document.getElementById('store-stats');
  try {
    const stats = await api.stats();
    target.textContent = `${stats.traces.toLocaleString('en')} traces · ${stats.spans.toLocaleString('en')} spans stored`;
  } catch {
    target.textContent = '';
  }
}

// The skip link jumps to the content without changing the hash, which the router owns.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', refresh);
refresh();
