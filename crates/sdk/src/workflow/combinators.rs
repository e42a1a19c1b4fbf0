//! Deterministic `select`: the first argument that is ready wins, always in argument
//! order, so a replay picks the same winner (`tokio::select!` and `futures::select!`
//! pick at random).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures::future::Either;

/// Waits for the first of `a` and `b`; `a` wins a tie. The other future is handed back
/// so it can still be awaited (or canceled).
pub fn select<A, B>(a: A, b: B) -> Select<A, B>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    Select { inner: Some((a, b)) }
}

pub struct Select<A, B> {
    inner: Option<(A, B)>,
}

impl<A: Future + Unpin, B: Future + Unpin> Future for Select<A, B> {
    type Output = Either<(A::Output, B), (B::Output, A)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (mut a, mut b) = self.inner.take().expect("Select polled after it finished");
        if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) {
            return Poll::Ready(Either::Left((v, b)));
        }
        if let Poll::Ready(v) = Pin::new(&mut b).poll(cx) {
            return Poll::Ready(Either::Right((v, a)));
        }
        self.inner = Some((a, b));
        Poll::Pending
    }
}

/// Waits for the first ready future of `futures`, scanning in order; returns its index,
/// its output and the others.
pub fn select_all<F: Future + Unpin>(futures: Vec<F>) -> SelectAll<F> {
    SelectAll { futures }
}

pub struct SelectAll<F> {
    futures: Vec<F>,
}

impl<F: Future + Unpin> Future for SelectAll<F> {
    type Output = (usize, F::Output, Vec<F>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let ready = self
            .futures
            .iter_mut()
            .enumerate()
            .find_map(|(i, f)| match Pin::new(f).poll(cx) {
                Poll::Ready(v) => Some((i, v)),
                Poll::Pending => None,
            });
        match ready {
            Some((i, v)) => {
                let mut rest = std::mem::take(&mut self.futures);
                rest.remove(i);
                Poll::Ready((i, v, rest))
            }
            None => Poll::Pending,
        }
    }
}
