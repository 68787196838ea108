// A third-party client: the official socket.io-client from npm. Connects with a
// device token, waits for the snapshot, signals readiness, then prints the
// first `called` event as JSON and exits.
const { io } = require("socket.io-client");
const [url, token] = process.argv.slice(2);
const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
socket.on("snapshot", () => console.log("READY"));
socket.on("called", (data) => { console.log(JSON.stringify(data)); socket.close(); process.exit(0); });
socket.on("connect_error", (err) => { console.error("connect_error " + err.message); process.exit(2); });
setTimeout(() => { console.error("timeout"); process.exit(3); }, 15000);
