import { render } from 'preact';
import { App } from './app.js';
import { locale } from './i18n/i18n.js';
import './styles.css';

document.documentElement.lang = locale.value;
render(<App />, document.getElementById('app')!);
