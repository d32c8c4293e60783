// The version lives in config/ so that http/ and amazon/ need not import cli/ (layers are one-way).
export { packageVersion, packageHomepage, userAgent } from '../config/package-version.js';
