//! A wasm process's view of its mailbox (SPEC §3.2 inside wasm). The mailbox itself —
//! subscriptions, routing, the queue of each route and the pending queue — is the
//! kernel's ([`troupe_kernel::mailbox`], under the process's handle), the same one Lua
//! processes and supervisors use; the `process` host functions only call it
//! (`listen`/`unlisten`/`inbox`/`events` change the subscriptions, `receive` takes the
//! first item of any open route, lazily, and converts only what it takes).
//!
//! The store keeps nothing of it between host calls: every piece of mailbox state lives
//! with the handle, and so follows it when a pooled instance gets a new process's handle.
//! [`delivery_kind`] maps a kernel [`Route`] to the WIT `delivery` case it is handed out
//! as.

use troupe_kernel::Route;

/// The WIT `delivery` case an item taken through `route` is handed out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// `delivery::topic`: a message on a listened topic.
    Topic,
    /// `delivery::inbox`: a message through the open inbox.
    Inbox,
    /// `delivery::event`: a lifecycle event through the open events subscription.
    Event,
}

/// [`DeliveryKind`] of a kernel route.
pub fn delivery_kind(route: &Route) -> DeliveryKind {
    match route {
        Route::Topic(_) => DeliveryKind::Topic,
        Route::Inbox => DeliveryKind::Inbox,
        Route::Events => DeliveryKind::Event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_its_delivery_case() {
        assert_eq!(
            delivery_kind(&Route::Topic("a".into())),
            DeliveryKind::Topic
        );
        assert_eq!(delivery_kind(&Route::Inbox), DeliveryKind::Inbox);
        assert_eq!(delivery_kind(&Route::Events), DeliveryKind::Event);
    }
}
