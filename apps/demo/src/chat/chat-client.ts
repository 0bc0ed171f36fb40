/** The methods the chat's clients implement: what ChatHub calls on them. */
export interface ChatClient {
  /** A chat message, to everyone, a group or one user. */
  receiveMessage(user: string, message: string): void;
}
