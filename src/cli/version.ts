// The version lives in config/ so that http/ need not import cli/ (layers are one-way).
export { packageVersion } from '../config/package-version.js';
