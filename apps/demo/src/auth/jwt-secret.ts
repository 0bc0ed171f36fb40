/** The demo signs tokens with JWT_SECRET, or with a development default. */
export const JWT_SECRET = process.env.JWT_SECRET ?? 'nest-signalr-demo-development-secret';
