// Copy the minified builds of Kehu's front-end libraries out of node_modules into
// kehu/web/static/vendor/, so that Django serves them itself (no CDN).
// Run after `npm ci`: `node scripts/copy-vendor.mjs`. Plain node, no dependencies.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "kehu", "web", "static", "vendor");

// [package, file inside the package, name under static/vendor/]
const files = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["alpinejs", "dist/cdn.min.js", "alpine.min.js"],
  ["sortablejs", "Sortable.min.js", "Sortable.min.js"],
  ["echarts", "dist/echarts.min.js", "echarts.min.js"],
];

mkdirSync(target, { recursive: true });
let failed = false;
for (const [pkg, file, name] of files) {
  const source = join(modules, pkg, file);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run "npm ci" first`);
    failed = true;
    continue;
  }
  copyFileSync(source, join(target, name));
  const { version } = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8"));
  for (const license of ["LICENSE", "LICENSE.md", "LICENSE.txt"]) {
    const licenseFile = join(modules, pkg, license);
    if (existsSync(licenseFile)) {
      copyFileSync(licenseFile, join(target, `${name.replace(/\.min\.js$/, "")}.LICENSE.txt`));
      break;
    }
  }
  console.log(`${pkg}@${version} -> kehu/web/static/vendor/${name}`);
}
process.exit(failed ? 1 : 0);
