import { useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { Route, Router, lazy, useLocation } from 'preact-iso';
import { api } from './api/client.js';
import { BasedLocationProvider } from './components/based-location.js';
import { locale, setLocale, t, type Locale } from './i18n/i18n.js';
import { SignInPage } from './pages/sign-in/sign-in-page.js';
import { can, loadSession, session } from './session.js';
import { theme, toggleTheme } from './theme.js';

// One chunk per screen (sign-in is in the first one): the first screen loads only what it shows.
const JobsPage = lazy(() => import('./pages/jobs/jobs-page.js').then((m) => m.JobsPage));
const JobPage = lazy(() => import('./pages/job/job-page.js').then((m) => m.JobPage));
const NewJobPage = lazy(() => import('./pages/new-job/new-job-page.js').then((m) => m.NewJobPage));
const RulesPage = lazy(() => import('./pages/rules/rules-page.js').then((m) => m.RulesPage));
const SettingsPage = lazy(() =>
  import('./pages/settings/settings-page.js').then((m) => m.SettingsPage),
);
const ReviewPage = lazy(() => import('./pages/review/review-page.js').then((m) => m.ReviewPage));
const LookupPage = lazy(() => import('./pages/lookup/lookup-page.js').then((m) => m.LookupPage));
const TokensPage = lazy(() => import('./pages/tokens/tokens-page.js').then((m) => m.TokensPage));

/** Sends a signed-out user to the sign-in page, remembering where they were. */
function SessionGate() {
  const { path, url, route } = useLocation();
  useSignalEffect(() => {
    if (session.value === null && path !== '/sign-in') {
      route(`/sign-in?next=${encodeURIComponent(url)}`, true);
    }
  });
  return null;
}

function Header() {
  const { route } = useLocation();
  const signOut = async () => {
    await api.DELETE('/api/v1/session');
    session.value = null;
    route('/sign-in', true);
  };
  return (
    <header class="top">
      <a href="/jobs" class="brand">
        {t('app.name')}
      </a>
      {session.value && (
        <nav aria-label="main">
          <a href="/jobs">{t('nav.jobs')}</a>
          {can('write') && <a href="/jobs/new">{t('nav.newJob')}</a>}
          <a href="/rules">{t('nav.rules')}</a>
          {can('admin') && <a href="/settings">{t('nav.settings')}</a>}
          <a href="/lookup">{t('nav.lookup')}</a>
          {can('admin') && <a href="/tokens">{t('nav.tokens')}</a>}
        </nav>
      )}
      <span class="spacer" />
      <label>
        {t('nav.language')}{' '}
        <select value={locale.value} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={theme.value === 'dark'} onChange={toggleTheme} />{' '}
        {t('nav.theme')}
      </label>
      {session.value && (
        <>
          <span class="muted">{session.value.owner}</span>
          <button type="button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </>
      )}
    </header>
  );
}

export function App() {
  useEffect(() => {
    void loadSession();
  }, []);
  return (
    <BasedLocationProvider>
      <Header />
      <SessionGate />
      <main>
        {session.value === undefined ? (
          <p aria-busy="true">{t('loading')}</p>
        ) : session.value === null ? (
          // Signed out: only the sign-in screen (no screen asks the API for what it cannot have).
          <SignInPage />
        ) : (
          <Router>
            <Route path="/sign-in" component={SignInPage} />
            <Route path="/jobs/new" component={NewJobPage} />
            <Route path="/jobs/:id/review" component={ReviewPage} />
            <Route path="/jobs/:id" component={JobPage} />
            <Route path="/jobs" component={JobsPage} />
            <Route path="/rules" component={RulesPage} />
            <Route path="/settings" component={SettingsPage} />
            <Route path="/lookup" component={LookupPage} />
            <Route path="/tokens" component={TokensPage} />
            <Route default component={JobsPage} />
          </Router>
        )}
      </main>
    </BasedLocationProvider>
  );
}
