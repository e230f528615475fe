// Preloaded into npm (`node -r`): npm reads the Node version only from process.version, so this makes it behave as on
// a machine whose Node is BOOKS_AS_NODE_VERSION (e.g. a fresh Debian with an older system Node).
const version = process.env.BOOKS_AS_NODE_VERSION;
if (!/^v\d+\.\d+\.\d+$/.test(version ?? '')) throw new Error(`BOOKS_AS_NODE_VERSION must look like v20.19.5`);
Object.defineProperty(process, 'version', { value: version });
Object.defineProperty(process.versions, 'node', { value: version.slice(1) });
