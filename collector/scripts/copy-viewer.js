// Copies the viewer's static files into dist, so the built collector serves them without src/.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'viewer', 'static');
const to = path.join(__dirname, '..', 'dist', 'viewer', 'static');
fs.rmSync(to, { recursive: true, force: true });
if (fs.existsSync(from)) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}
