// Run a Python script on MicroPython (WebAssembly) with tinynet importable.
//
//   node tests/micropython/run.mjs MICROPYTHON_MJS SCRIPT.py [FILE ...]
//
// MICROPYTHON_MJS is the npm package's micropython.mjs.  The tinynet
// package (the modules MicroPython can use) is copied into /lib/tinynet of
// MicroPython's in-memory file system, and each FILE into /data under its
// own name.  Exits 1 if the script raises.
import fs from "fs";
import path from "path";
import url from "url";

const [mjs, script, ...files] = process.argv.slice(2);
const { loadMicroPython } = await import(url.pathToFileURL(path.resolve(mjs)).href);
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..", "..");
let output = "";
const mp = await loadMicroPython({
    heapsize: 64 * 1024 * 1024,
    stdout: (line) => { output += line + "\n"; process.stdout.write(line + "\n"); },
});

function copyTree(from, to) {
    mp.FS.mkdirTree(to);
    for (const name of fs.readdirSync(from)) {
        const source = path.join(from, name);
        if (fs.statSync(source).isDirectory()) {
            if (name !== "__pycache__" && name !== "data") copyTree(source, to + "/" + name);
        } else if (name.endsWith(".py") && name !== "numpy_backend.py") {
            mp.FS.writeFile(to + "/" + name, fs.readFileSync(source));
        }
    }
}
copyTree(path.join(root, "tinynet"), "/lib/tinynet");
mp.FS.mkdirTree("/data");
for (const file of files) {
    mp.FS.writeFile("/data/" + path.basename(file), fs.readFileSync(file));
}
try {
    mp.runPython("import sys\nsys.path.insert(0, '/lib')\n" + fs.readFileSync(script, "utf8"));
} catch (error) {
    console.log(error.name === "PythonError" ? error.message : String(error));
    process.exit(1);
}
