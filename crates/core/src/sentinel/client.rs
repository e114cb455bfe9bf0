//! The `redis` crate boundary: connections, commands and replies turned into our types.

use std::collections::HashMap;
use std::time::Duration;

use redis::aio::{MultiplexedConnection, PubSub};
use redis::{AsyncConnectionConfig, Client, ConnectionAddr, ConnectionInfo, IntoConnectionInfo};
use redis::{RedisConnectionInfo, RedisError};

use super::report::{self, ReplicationInfo, Topology};

/// Connecting (TCP + AUTH) must not hang on a blackholed pod IP.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A sentinel answers in microseconds; a stuck one is as good as down.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why talking to a sentinel failed, sorted into what the pane shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("authentication required")]
    AuthRequired,
    #[error("authentication failed: {0}")]
    AuthFailed(String),
    #[error("unknown master name")]
    UnknownMaster,
    #[error("{0}")]
    Unreachable(String),
}

impl From<RedisError> for LinkError {
    fn from(e: RedisError) -> Self {
        let text = e.to_string();
        if text.contains("NOAUTH") {
            LinkError::AuthRequired
        } else if e.kind() == redis::ErrorKind::AuthenticationFailed
            || text.contains("WRONGPASS")
            || text.contains("invalid password")
            || text.contains("without any password configured")
        {
            LinkError::AuthFailed(text)
        } else if text.contains("No such master") {
            LinkError::UnknownMaster
        } else {
            LinkError::Unreachable(text)
        }
    }
}

pub fn client(host: &str, port: u16, password: Option<&str>) -> Result<Client, LinkError> {
    let mut redis = RedisConnectionInfo::default().set_skip_set_lib_name();
    if let Some(p) = password {
        redis = redis.set_password(p);
    }
    let info: ConnectionInfo = ConnectionAddr::Tcp(host.to_string(), port)
        .into_connection_info()
        .map_err(LinkError::from)?
        .set_redis_settings(redis);
    Ok(Client::open(info)?)
}

pub async fn commands(client: &Client) -> Result<MultiplexedConnection, LinkError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT));
    Ok(client
        .get_multiplexed_async_connection_with_config(&config)
        .await?)
}

/// A Pub/Sub connection subscribed to every channel (`PSUBSCRIBE *`).
pub async fn subscribe_all(client: &Client) -> Result<PubSub, LinkError> {
    let connect = async {
        let mut ps = client.get_async_pubsub().await?;
        ps.psubscribe("*").await?;
        Ok::<_, RedisError>(ps)
    };
    match tokio::time::timeout(CONNECT_TIMEOUT + RESPONSE_TIMEOUT, connect).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(LinkError::Unreachable("timed out subscribing".into())),
    }
}

type Fields = HashMap<String, String>;

async fn sentinel<T: redis::FromRedisValue>(
    con: &mut MultiplexedConnection,
    args: &[&str],
) -> Result<T, LinkError> {
    Ok(redis::cmd("SENTINEL").arg(args).query_async(con).await?)
}

pub async fn myid(con: &mut MultiplexedConnection) -> Result<String, LinkError> {
    sentinel(con, &["MYID"]).await
}

/// One full report: `SENTINEL MASTER/REPLICAS/SENTINELS` and `CKQUORUM`.
pub async fn topology(con: &mut MultiplexedConnection, name: &str) -> Result<Topology, LinkError> {
    let master: Fields = sentinel(con, &["MASTER", name]).await?;
    let master = report::master_from_fields(&master)
        .ok_or_else(|| LinkError::Unreachable("SENTINEL MASTER reply without an address".into()))?;
    let replicas: Vec<Fields> = sentinel(con, &["REPLICAS", name]).await?;
    let sentinels: Vec<Fields> = sentinel(con, &["SENTINELS", name]).await?;
    let ckquorum = match sentinel::<String>(con, &["CKQUORUM", name]).await {
        Ok(ok) => Ok(ok),
        Err(LinkError::Unreachable(e)) if e.contains("NOQUORUM") => Err(e),
        Err(e) => return Err(e),
    };
    Ok(Topology {
        master,
        replicas: replicas
            .iter()
            .filter_map(report::replica_from_fields)
            .collect(),
        sentinels: sentinels
            .iter()
            .filter_map(report::peer_from_fields)
            .collect(),
        ckquorum,
    })
}

/// `INFO replication` of a redis server.
pub async fn replication(con: &mut MultiplexedConnection) -> Result<ReplicationInfo, LinkError> {
    let text: String = redis::cmd("INFO")
        .arg("replication")
        .query_async(con)
        .await?;
    Ok(report::parse_replication(&text))
}

/// The first word of `ROLE`: `master`, `slave` or `sentinel`.
pub async fn role(con: &mut MultiplexedConnection) -> Result<String, LinkError> {
    let reply: Vec<redis::Value> = redis::cmd("ROLE").query_async(con).await?;
    let first = reply
        .first()
        .ok_or_else(|| LinkError::Unreachable("empty ROLE reply".into()))?;
    redis::from_redis_value_ref(first).map_err(|e| LinkError::Unreachable(e.to_string()))
}
