//! The client's input side: responses framed out of the byte stream, with
//! large literals passed through in chunks instead of being buffered.
//!
//! A literal longer than the streaming threshold (a `BODY[]` of hundreds
//! of MiB) is handed out as it arrives; in the response that is parsed at
//! the end, that literal is empty. So memory stays bounded by the
//! threshold and the longest line, whatever the message size.

use bytes::{Bytes, BytesMut};

use crate::Limits;
use crate::error::DecodeError;
use crate::frame::{Frame, Framer};
use crate::response::Response;

/// What the decoder produced.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// A whole response.
    Response(Response),
    /// A large literal starts: `prefix` is the response so far (up to the
    /// literal header), `length` its size.
    LiteralStart { prefix: Bytes, length: u64 },
    /// The next chunk of it.
    LiteralData(Bytes),
    /// It is complete (the response it belongs to comes later).
    LiteralEnd,
    /// The input is broken; the connection cannot go on.
    Error(DecodeError),
}

#[derive(Debug)]
pub(crate) struct Decoder {
    buf: BytesMut,
    framer: Framer,
    /// Octets of a streamed literal still to come.
    streaming: u64,
    limits: Limits,
    failed: bool,
}

impl Decoder {
    /// Literals over `threshold` stream; so do those over
    /// `limits.max_literal`, which is never held in memory.
    pub(crate) fn new(limits: Limits, threshold: u64) -> Self {
        Decoder {
            buf: BytesMut::new(),
            framer: Framer::stopping_at_literals_over(threshold.min(limits.max_literal)),
            streaming: 0,
            limits,
            failed: false,
        }
    }

    /// The framer's limits: every literal above the stopping length is
    /// streamed, so only that length bounds what is buffered of one.
    fn framing_limits(&self) -> Limits {
        Limits { max_literal: u64::MAX, max_message: u64::MAX, ..self.limits }
    }

    /// Drops everything buffered (after STARTTLS, RFC 9051 §6.2.1: nothing
    /// received in the clear may be used afterwards).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.framer.reset();
        self.streaming = 0;
    }

    /// Takes `input`, pushing what it completes onto `out`.
    pub(crate) fn feed(&mut self, mut input: &[u8], out: &mut Vec<Decoded>) {
        if self.failed {
            return;
        }
        if self.streaming > 0 {
            let n = (self.streaming.min(input.len() as u64)) as usize;
            if n > 0 {
                out.push(Decoded::LiteralData(Bytes::copy_from_slice(&input[..n])));
                self.streaming -= n as u64;
                input = &input[n..];
            }
            if self.streaming > 0 {
                return;
            }
            out.push(Decoded::LiteralEnd);
        }
        self.buf.extend_from_slice(input);
        self.drain(out);
        if !self.failed && self.buf.len() as u64 > self.limits.max_message {
            self.failed = true;
            out.push(Decoded::Error(DecodeError::TooLong { what: "message length" }));
        }
    }

    /// Frames and parses what the buffer holds, starting to stream a
    /// large literal when one begins.
    fn drain(&mut self, out: &mut Vec<Decoded>) {
        loop {
            match self.framer.scan(&self.buf, &self.framing_limits()) {
                Ok(Frame::Complete(end)) => {
                    let message = self.buf.split_to(end).freeze();
                    match Response::parse(&message, &self.limits) {
                        Ok(response) => out.push(Decoded::Response(response)),
                        Err(e) => {
                            self.failed = true;
                            out.push(Decoded::Error(DecodeError::Parse(e)));
                            return;
                        }
                    }
                }
                Ok(Frame::LargeLiteral(progress)) => {
                    self.start_streaming(progress.data_start, progress.header.length, out);
                    if self.streaming > 0 {
                        return;
                    }
                    out.push(Decoded::LiteralEnd);
                }
                Ok(Frame::Incomplete) | Ok(Frame::AwaitingLiteral(_)) => return,
                Err(e) => {
                    self.failed = true;
                    out.push(Decoded::Error(e));
                    return;
                }
            }
        }
    }

    /// Replaces the literal header ending at `data_start` by an empty
    /// literal, hands out the part of the literal already received, and
    /// keeps what follows it.
    fn start_streaming(&mut self, data_start: usize, length: u64, out: &mut Vec<Decoded>) {
        let header_line = &self.buf[..data_start];
        let open = header_line.iter().rposition(|&b| b == b'{').unwrap_or(0);
        let prefix = Bytes::copy_from_slice(&self.buf[..data_start]);
        out.push(Decoded::LiteralStart { prefix, length });
        let available = (self.buf.len() - data_start) as u64;
        let now = available.min(length) as usize;
        let mut rest = self.buf.split_off(data_start);
        let chunk = rest.split_to(now).freeze();
        if !chunk.is_empty() {
            out.push(Decoded::LiteralData(chunk));
        }
        self.buf.truncate(open);
        self.buf.extend_from_slice(b"{0}\r\n"); // `~` stays before it for literal8
        self.buf.extend_from_slice(&rest);
        self.streaming = length - now as u64;
        // The framer scans the rewritten message from its start again
        // (a line or two: the literal's bytes are gone from it).
        self.framer.reset();
    }
}
