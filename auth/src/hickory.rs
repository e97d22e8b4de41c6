//! [`HickoryResolver`](crate::hickory::HickoryResolver) answers the
//! evaluations' [`Query`](crate::dns::Query)s with hickory-resolver 0.25 on
//! tokio. It is a thin adapter: the evaluations stay sans-IO, and this only
//! turns a query into a lookup and the lookup's outcome into an
//! [`Answer`](crate::dns::Answer). Its futures need a tokio runtime with I/O
//! and time enabled (hickory's sockets and timers).
//!
//! Every query name is looked up as a fully qualified name, so the
//! system's search list and `ndots` never apply: `sel._domainkey.example.com`
//! is that name and no other.
//!
//! ```no_run
//! use mailwire_auth::dkim::{Status, VerifyOptions};
//! use mailwire_auth::dns::{Answer, Query};
//! use mailwire_auth::hickory::HickoryResolver;
//!
//! # async fn check(message: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! // The nameservers of /etc/resolv.conf (the registry on Windows).
//! let resolver = HickoryResolver::from_system_conf()?;
//! let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
//! for result in resolver.verify_dkim(message, &VerifyOptions::at(now)).await {
//!     if result.status == Status::Pass {
//!         println!("signed by {:?}", result.domain);
//!     }
//! }
//! // Any other record of the hand-off, one at a time.
//! match resolver.resolve(&Query::txt("_dmarc.example.com")).await {
//!     Answer::Records(records) => println!("{} record(s)", records.len()),
//!     Answer::NotFound => println!("no policy"),
//!     Answer::TempError(why) => println!("try later: {why}"),
//! }
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::lookup::Lookup;
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType as HickoryType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};

use crate::dkim::{DkimResult, Verifier, VerifyOptions};
use crate::dns::{Answer, Query, RecordType};

/// The hickory-resolver crate this adapter is built with, to configure a
/// resolver for [`HickoryResolver::from_resolver`] with the same version.
pub use hickory_resolver;

/// An async resolver for the DNS hand-off: a hickory [`TokioResolver`]
/// (with its cache) behind [`resolve`](Self::resolve). Clones share the
/// cache and connections.
#[derive(Debug, Clone)]
pub struct HickoryResolver {
    inner: TokioResolver,
}

impl HickoryResolver {
    /// A resolver with the operating system's configuration:
    /// `/etc/resolv.conf` on Unix, the registry on Windows. Fails when that
    /// cannot be read.
    pub fn from_system_conf() -> Result<HickoryResolver, ResolveError> {
        Ok(HickoryResolver { inner: TokioResolver::builder_tokio()?.build() })
    }

    /// A resolver that asks the one nameserver at `addr` (UDP, and TCP
    /// for truncated answers), each attempt waiting at most `timeout`,
    /// with EDNS0 and without the hosts file: for tests and local
    /// resolvers (`127.0.0.1:53`).
    pub fn with_nameserver(addr: SocketAddr, timeout: Duration) -> HickoryResolver {
        let mut config = ResolverConfig::new();
        config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
        config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
        let mut options = ResolverOpts::default();
        options.timeout = timeout;
        options.edns0 = true;
        options.use_hosts_file = ResolveHosts::Never;
        let inner = TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
            .with_options(options)
            .build();
        HickoryResolver { inner }
    }

    /// Wraps a resolver configured by the caller (see [`hickory_resolver`]).
    pub fn from_resolver(resolver: TokioResolver) -> HickoryResolver {
        HickoryResolver { inner: resolver }
    }

    /// The hickory resolver inside (to clear its cache, read its
    /// configuration, or look up other types).
    pub fn inner(&self) -> &TokioResolver {
        &self.inner
    }

    /// Looks `query` up. TXT records come with their character-strings
    /// joined, A and AAAA as the address octets (4 or 16), MX and PTR as
    /// the names in lower case without the trailing dot (MX by
    /// preference, a null MX as the empty name). NXDOMAIN and an empty
    /// answer are [`Answer::NotFound`], as is a name that cannot be a DNS
    /// name; SERVFAIL, REFUSED, timeouts and network errors are
    /// [`Answer::TempError`] with the reason.
    pub async fn resolve(&self, query: &Query) -> Answer {
        let Ok(mut name) = Name::from_str_relaxed(&query.name) else {
            return Answer::NotFound;
        };
        name.set_fqdn(true);
        let rtype = match query.rtype {
            RecordType::Txt => HickoryType::TXT,
            RecordType::A => HickoryType::A,
            RecordType::Aaaa => HickoryType::AAAA,
            RecordType::Mx => HickoryType::MX,
            RecordType::Ptr => HickoryType::PTR,
        };
        answer(query.rtype, self.inner.lookup(name, rtype).await)
    }

    /// Verifies `message`'s DKIM signatures (as [`dkim::verify`](crate::dkim::verify)),
    /// looking all their keys up at once. One result per signature, in
    /// the order of the fields; a key whose lookup failed for now gives
    /// `temperror`.
    pub async fn verify_dkim(&self, message: &[u8], options: &VerifyOptions) -> Vec<DkimResult> {
        let mut verifier = Verifier::new(message, options.clone());
        let queries = verifier.queries();
        let answers = join_all(queries.iter().map(|q| self.resolve(q)).collect()).await;
        for (q, a) in queries.iter().zip(&answers) {
            verifier.answer(q, a);
        }
        verifier.results()
    }
}

/// The hand-off's answer for a lookup of type `rtype`.
fn answer(rtype: RecordType, lookup: Result<Lookup, ResolveError>) -> Answer {
    let lookup = match lookup {
        Ok(lookup) => lookup,
        Err(e) => return failure(&e),
    };
    let mut records = Vec::new();
    let mut exchanges = Vec::new();
    // Only the records of the type: a CNAME chain comes along.
    for record in lookup.record_iter() {
        match (rtype, record.data()) {
            (RecordType::Txt, RData::TXT(txt)) => records.push(txt.txt_data().concat()),
            (RecordType::A, RData::A(a)) => records.push(a.0.octets().to_vec()),
            (RecordType::Aaaa, RData::AAAA(aaaa)) => records.push(aaaa.0.octets().to_vec()),
            (RecordType::Mx, RData::MX(mx)) => exchanges.push((mx.preference(), name_bytes(mx.exchange()))),
            (RecordType::Ptr, RData::PTR(ptr)) => records.push(name_bytes(&ptr.0)),
            _ => {}
        }
    }
    // Stable: equal preferences keep the server's order.
    exchanges.sort_by_key(|&(preference, _)| preference);
    records.extend(exchanges.into_iter().map(|(_, name)| name));
    if records.is_empty() { Answer::NotFound } else { Answer::Records(records) }
}

/// A failed lookup: a definite "no", or a reason to try again later.
fn failure(e: &ResolveError) -> Answer {
    if let Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) = e.proto().map(|p| p.kind()) {
        // hickory reports SERVFAIL, REFUSED, … as "no records" too; only
        // NXDOMAIN and NOERROR (no data) say the records do not exist.
        return match *response_code {
            ResponseCode::NXDomain | ResponseCode::NoError => Answer::NotFound,
            code => Answer::TempError(format!("the nameserver answered {code}")),
        };
    }
    Answer::TempError(e.to_string())
}

/// A name as the hand-off gives names: lower case, no trailing dot.
fn name_bytes(name: &Name) -> Vec<u8> {
    let mut s = name.to_ascii();
    if s.ends_with('.') {
        s.pop();
    }
    s.make_ascii_lowercase();
    s.into_bytes()
}

/// Runs `futures` concurrently on the current task; their outputs in
/// order. (A few key lookups: polling all pending ones on each wake-up
/// costs nothing worth a dependency.)
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr, UdpSocket};
    use std::sync::Arc;

    use hickory_resolver::proto::ProtoError;
    use hickory_resolver::proto::op::Query as HickoryQuery;
    use hickory_resolver::proto::rr::Record;
    use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, TXT};

    use super::*;
    use crate::dkim::{Failure, Signer, SigningKey, Status};

    const MESSAGE: &[u8] =
        b"From: Ann <ann@example.com>\r\nTo: bob@example.org\r\nSubject: test\r\n\r\nHello Bob.\r\n";

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
    }

    /// A local UDP port nothing listens on (bound, then released).
    fn closed_port() -> SocketAddr {
        UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
    }

    /// A DKIM-Signature field for `MESSAGE`.
    fn signature(domain: &str) -> String {
        let key = SigningKey::ed25519_from_seed(&[7; 32]).unwrap();
        Signer::new(key, domain, "sel").with_timestamp(1_000).sign(MESSAGE, None).unwrap()
    }

    #[test]
    fn an_unreachable_nameserver_is_a_temporary_error() {
        let resolver = HickoryResolver::with_nameserver(closed_port(), Duration::from_millis(200));
        block_on(async {
            let a = resolver.resolve(&Query::txt("sel._domainkey.example.com")).await;
            assert!(matches!(&a, Answer::TempError(why) if !why.is_empty()), "{a:?}");

            // Two signatures, two keys looked up together: both temperror.
            let message =
                [signature("example.com").as_bytes(), signature("example.org").as_bytes(), MESSAGE].concat();
            let results = resolver.verify_dkim(&message, &VerifyOptions::at(2_000)).await;
            assert_eq!(results.len(), 2);
            for r in &results {
                assert_eq!(r.status, Status::TempError, "{r:?}");
                assert!(matches!(r.failure, Some(Failure::DnsTemporary(_))), "{r:?}");
            }

            // No signature: no lookup at all.
            let results = resolver.verify_dkim(MESSAGE, &VerifyOptions::at(2_000)).await;
            assert_eq!(results[0].status, Status::None);
        });
    }

    #[test]
    fn its_futures_are_send() {
        fn send<T: Send>(_: &T) {}
        let resolver = HickoryResolver::with_nameserver(closed_port(), Duration::from_millis(1));
        let q = Query::txt("example.com");
        send(&resolver.resolve(&q));
        send(&resolver.verify_dkim(MESSAGE, &VerifyOptions::at(0)));
    }

    fn lookup(name: &str, rtype: HickoryType, data: Vec<RData>) -> Result<Lookup, ResolveError> {
        let name = Name::from_ascii(name).unwrap();
        let records: Vec<Record> =
            data.into_iter().map(|d| Record::from_rdata(name.clone(), 60, d)).collect();
        Ok(Lookup::new_with_max_ttl(HickoryQuery::query(name, rtype), Arc::from(records)))
    }

    #[test]
    fn records_in_the_form_of_their_type() {
        let txt = lookup(
            "sel._domainkey.example.com.",
            HickoryType::TXT,
            vec![
                RData::CNAME(CNAME(Name::from_ascii("keys.example.net.").unwrap())),
                RData::TXT(TXT::from_bytes(vec![b"v=DKIM1; ", b"p=abc"])),
                RData::TXT(TXT::from_bytes(vec![b"other"])),
            ],
        );
        assert_eq!(
            answer(RecordType::Txt, txt),
            Answer::Records(vec![b"v=DKIM1; p=abc".to_vec(), b"other".to_vec()])
        );

        let a = lookup("example.com.", HickoryType::A, vec![RData::A(A(Ipv4Addr::new(192, 0, 2, 1)))]);
        assert_eq!(answer(RecordType::A, a), Answer::Records(vec![vec![192, 0, 2, 1]]));
        let aaaa = lookup("example.com.", HickoryType::AAAA, vec![RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))]);
        assert_eq!(
            answer(RecordType::Aaaa, aaaa),
            Answer::Records(vec![Ipv6Addr::LOCALHOST.octets().to_vec()])
        );

        let mx = lookup(
            "example.com.",
            HickoryType::MX,
            vec![
                RData::MX(MX::new(20, Name::from_ascii("Backup.Example.com.").unwrap())),
                RData::MX(MX::new(10, Name::from_ascii("mx.example.com.").unwrap())),
            ],
        );
        assert_eq!(
            answer(RecordType::Mx, mx),
            Answer::Records(vec![b"mx.example.com".to_vec(), b"backup.example.com".to_vec()])
        );
        let null_mx = lookup("example.com.", HickoryType::MX, vec![RData::MX(MX::new(0, Name::root()))]);
        assert_eq!(answer(RecordType::Mx, null_mx), Answer::Records(vec![Vec::new()]));

        let ptr = lookup(
            "1.2.0.192.in-addr.arpa.",
            HickoryType::PTR,
            vec![RData::PTR(PTR(Name::from_ascii("host.example.com.").unwrap()))],
        );
        assert_eq!(answer(RecordType::Ptr, ptr), Answer::Records(vec![b"host.example.com".to_vec()]));

        // Only a CNAME: nothing of the type.
        let cname = lookup(
            "x.example.com.",
            HickoryType::TXT,
            vec![RData::CNAME(CNAME(Name::from_ascii("y.example.com.").unwrap()))],
        );
        assert_eq!(answer(RecordType::Txt, cname), Answer::NotFound);
    }

    #[test]
    fn negative_answers_and_failures() {
        let no = |code: ResponseCode| -> Result<Lookup, ResolveError> {
            let q = HickoryQuery::query(Name::from_ascii("x.example.com.").unwrap(), HickoryType::TXT);
            Err(ProtoError::nx_error(Box::new(q), None, None, None, code, false, None).into())
        };
        assert_eq!(answer(RecordType::Txt, no(ResponseCode::NXDomain)), Answer::NotFound);
        assert_eq!(answer(RecordType::Txt, no(ResponseCode::NoError)), Answer::NotFound);
        assert_eq!(
            answer(RecordType::Txt, no(ResponseCode::ServFail)),
            Answer::TempError("the nameserver answered Server Failure".into())
        );
        assert!(matches!(answer(RecordType::Txt, no(ResponseCode::Refused)), Answer::TempError(_)));
        let timeout: ResolveError = ProtoError::from(ProtoErrorKind::Timeout).into();
        assert!(
            matches!(answer(RecordType::Txt, Err(timeout)), Answer::TempError(why) if why.contains("timed out"))
        );
    }

    #[test]
    fn join_all_keeps_the_order() {
        let out = block_on(join_all((1..=3).map(|i| async move { i }).collect()));
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(block_on(join_all(Vec::<std::future::Ready<u8>>::new())), Vec::<u8>::new());
    }
}
