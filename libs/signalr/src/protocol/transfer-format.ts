/** How a transport carries bytes: text frames/events, or binary frames. */
export enum TransferFormat {
  Text = 1,
  Binary = 2,
}
