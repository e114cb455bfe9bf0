//! 界面的中文（简体）文字：课程为 zh-CN 时使用。

use super::{Completion, Notice, PaneText, ReloadWait, Strings};
use crate::app::LEAVE;

pub struct Zh;

impl Strings for Zh {
    fn status(&self, ctx: &str, ns: &str, step: &str) -> String {
        format!(" 上下文 {ctx} │ 命名空间 {ns} │ 第 {step} 步 │ ")
    }
    fn no_runs_yet(&self) -> &'static str {
        "尚未运行"
    }
    fn lesson_complete(&self) -> &'static str {
        " │ ✓ 课程完成"
    }
    fn workshop_unpublished(&self) -> &'static str {
        " │ ⚠ 进度未能发布"
    }
    fn hints(&self) -> &'static str {
        "⏎ 运行  a 整步  n/p 步骤  ]/[ 命令  ^C 取消  ? 帮助  q 退出"
    }
    fn always_hints(&self) -> &'static str {
        "? 帮助  q 退出"
    }
    fn present_hints(&self) -> &'static str {
        "⏎ 运行  n/p 步骤  ? 帮助  q 退出"
    }
    fn term_hints(&self) -> &'static str {
        "按键发给程序  ^] 回到课程"
    }
    fn more_hint(&self) -> &'static str {
        "! 更多"
    }

    fn step_heading(&self, n: usize, total: usize, title: &str) -> String {
        format!("第 {n}/{total} 步 · {title}")
    }

    fn shown_only(&self) -> &'static str {
        "仅展示"
    }
    fn interactive(&self) -> &'static str {
        "交互式"
    }
    fn typing(&self) -> &'static str {
        "输入中…"
    }
    fn idle(&self) -> &'static str {
        "未运行"
    }
    fn queued(&self) -> &'static str {
        "排队中"
    }
    fn running(&self, elapsed: &str, attempt: u32) -> String {
        match attempt {
            0 | 1 => format!("运行中 {elapsed}"),
            n => format!("运行中 {elapsed}（第 {n} 次尝试）"),
        }
    }
    fn not_running_earlier(&self) -> &'static str {
        "○ 未在运行（在之前的会话中启动）"
    }
    fn passed_earlier(&self) -> &'static str {
        "✓ 之前已通过"
    }
    fn failed_earlier(&self) -> &'static str {
        "✗ 之前失败"
    }
    fn passed(&self, took: &str) -> String {
        format!("✓ 通过 {took}")
    }
    fn exit(&self, code: i32, took: &str) -> String {
        format!("✗ 退出码 {code} · {took}")
    }
    fn signal(&self, signal: i32, took: &str) -> String {
        format!("✗ 信号 {signal} · {took}")
    }
    fn failed(&self, took: &str) -> String {
        format!("✗ 失败 · {took}")
    }
    fn cancelled(&self, took: &str) -> String {
        format!("✗ 已取消 · {took}")
    }
    fn timed_out(&self, after: &str) -> String {
        format!("✗ {after} 后超时")
    }
    fn not_ready(&self, attempts: u32, took: &str) -> String {
        format!("✗ 尝试 {attempts} 次仍未就绪 · {took}")
    }
    fn skipped(&self, reason: &str) -> String {
        format!("– 已跳过：{reason}")
    }
    fn error(&self, message: &str) -> String {
        format!("✗ 错误：{message}")
    }
    fn refused(&self, message: &str) -> String {
        format!("✗ 已拒绝：{message}")
    }
    fn job_up(&self, pid: u32, uptime: &str) -> String {
        format!(" · 后台任务 {pid} 已运行 {uptime}")
    }
    fn job_exited(&self, code: i32) -> String {
        format!(" · 后台任务已退出 {code}")
    }
    fn job_killed(&self) -> &'static str {
        " · 后台任务已被终止"
    }
    fn ran_edited(&self) -> &'static str {
        " · 运行的是修改后的代码"
    }
    fn edited(&self) -> &'static str {
        " · 已修改"
    }
    fn output_rule(&self) -> &'static str {
        "├─ 输出 "
    }
    fn earlier_session_output(&self) -> &'static str {
        "· 来自之前的会话 "
    }
    fn earlier_lines(&self, n: usize) -> String {
        format!("… 之前还有 {n} 行（J/K 滚动，o 展开）")
    }
    fn newer_lines(&self, n: usize) -> String {
        format!("… 之后还有 {n} 行（J）")
    }
    fn cell_keys(&self, revert: bool) -> String {
        let revert = if revert { " · E 还原" } else { "" };
        format!(" ⏎ 运行 · a 整步 · e 编辑{revert} · c 复制 ")
    }

    fn help_title(&self) -> &'static str {
        "按键"
    }
    fn help_scroll(&self, more_below: bool) -> &'static str {
        if more_below {
            "j/k 滚动，下面还有"
        } else {
            "j/k 滚动"
        }
    }
    fn help_what(&self, keys: &str, english: &'static str) -> &'static str {
        match keys {
            "j / k, ↓ / ↑" => "滚动课程",
            "PgDn / PgUp, space" => "翻页",
            "^D / ^U, ^F / ^B" => "翻页（同 less）",
            "g / G, Home / End" => "到顶部 / 底部",
            "n / p, Tab / S-Tab" => "下一步 / 上一步（搜索时 n 为下一个匹配）",
            "/, N" => "搜索课程（Enter 保留，Esc 清除）；N 为上一个匹配",
            "t" => "步骤列表及进度（Enter 或输入数字跳转）",
            "] / [" => "下一条 / 上一条命令",
            "Enter" => "运行当前命令（或在它的终端里输入）",
            "Ctrl-]" => "离开终端（程序继续运行）",
            "any key" => "演示模式：立即打完当前命令",
            "a" => "运行本步的所有命令",
            "R" => "重放到上次完成的步骤（重启后）",
            "^C" => "取消正在运行的命令（不会退出）",
            "c" => "复制命令（OSC 52）",
            "x" => "导出本次会话：课程和每条命令的输出（Markdown）",
            "e" => "用 $EDITOR 编辑命令，然后运行",
            "E" => "放弃修改：运行课程原来的命令",
            "J / K" => "滚动命令的输出",
            "w, ← / →" => "输出是否自动换行；左右滚动",
            "o" => "展开 / 折叠命令的输出",
            "s" => "停止命令的后台任务",
            "1 / 2 / 3" => "显示 / 隐藏 pods / sentinel / 后台任务面板",
            "< / >" => "缩窄 / 加宽课程栏",
            "mouse" => "滚轮滚动，点击选中命令",
            "?" => "本帮助",
            "!" => "完整显示最近的提示",
            "Esc" => "关闭帮助或提示",
            "q" => "退出（有命令在运行时会先询问）",
            _ => english,
        }
    }
    fn notices_title(&self) -> &'static str {
        "最近的提示"
    }
    fn no_notices(&self) -> &'static str {
        "还没有提示。"
    }
    fn quit_title(&self) -> &'static str {
        "退出？"
    }
    fn quit_text(&self, running: usize, jobs: usize) -> String {
        format!("{running} 条命令正在运行，{jobs} 个后台任务在运行。")
    }
    fn quit_question(&self) -> &'static str {
        "退出并停止它们？y = 退出，n = 留下"
    }
    fn cluster_title(&self) -> &'static str {
        "在这个集群上运行？"
    }
    fn cluster_labels(&self) -> [&'static str; 3] {
        ["上下文      ", "集群        ", "命名空间    "]
    }
    fn cluster_note(&self) -> &'static str {
        "命令将使用仅针对该目标的私有 kubeconfig 运行。"
    }
    fn cluster_question(&self) -> &'static str {
        "y = 运行，n = 取消"
    }
    fn steps_title(&self) -> &'static str {
        "步骤"
    }
    fn steps_done(&self, done: usize, total: usize) -> String {
        format!("已完成 {done}/{total} 步")
    }
    fn step_reading(&self) -> &'static str {
        "阅读"
    }
    fn steps_keys(&self, typed: &str) -> String {
        let typed = if typed.is_empty() {
            String::new()
        } else {
            format!("第 {typed}… 步 · ")
        };
        format!("{typed}↑/↓ 选择 · 输入数字选步 · Enter 跳转 · Esc 关闭")
    }
    fn search_keys(&self) -> &'static str {
        "  Enter 保留 · Esc 取消"
    }
    fn pane(&self, text: &PaneText) -> String {
        match text {
            PaneText::Stopped => "○ 已停止：课程完成（清理步骤关闭了 Redis）".into(),
            PaneText::Connecting(1) => "连接中…".into(),
            PaneText::Connecting(attempt) => format!("连接中（第 {attempt} 次）…"),
            PaneText::Connected { up, total } => format!("● 已连接 {up}/{total} 个哨兵"),
            PaneText::ConnectedGone {
                up,
                total,
                gone,
                counted,
            } => format!("● 已连接 {up}/{total} · {gone} 个已不在（Sentinel 仍计为 {counted} 个）"),
            PaneText::Waiting { target, from: None } => format!("○ 等待 {target}"),
            PaneText::Waiting {
                target,
                from: Some(from),
            } => format!("○ 等待 {target}（{from}）"),
            PaneText::Unreachable {
                retry,
                within,
                error,
            } => format!("✖ 无法连接；{within} 后第 {retry} 次重试：{error}"),
            PaneText::AllDown {
                total,
                retry,
                within,
            } => format!("✖ {total} 个哨兵全部下线；{within} 后第 {retry} 次重试"),
            PaneText::AuthRequired => "✖ 需要认证：设置 `password` 或 REDISCLI_AUTH".into(),
            PaneText::AuthFailed(error) => format!("✖ 认证失败：{error}"),
            PaneText::NoMasterNamed(name) => {
                format!("✖ 没有名为 {name:?} 的主节点：见 SENTINEL MASTERS")
            }
            PaneText::InSync => "已同步".into(),
            PaneText::LinkOk => "连接正常".into(),
            PaneText::Lag(bytes) => format!("落后 {bytes}"),
            PaneText::FailoverInProgress => "故障转移进行中".into(),
            PaneText::DetectionToSwitch(secs) => format!("  发现→切换 {secs:.2} 秒"),
            PaneText::AlreadyAnswers(addr) => format!("  {addr} 已作为主节点应答"),
            PaneText::UnavailableSoFar(secs) => format!("  无法写入：已 {secs:.1} 秒"),
            PaneText::Unavailable(secs) => format!("  无法写入 {secs:.2} 秒"),
            PaneText::Events(n) => format!("── 事件（{n}）──"),
        }
    }
    fn sentinel_event(&self, name: &str, english: &'static str) -> &'static str {
        match name {
            "+monitor" => "开始监视主节点",
            "-monitor" => "停止监视主节点",
            "+reset-master" => "主节点的状态已重置（SENTINEL RESET）",
            "+slave" => "发现一个副本，开始跟踪",
            "+sentinel" => "发现另一个监视此主节点的哨兵",
            "-dup-sentinel" => "删除了一个已重启哨兵的旧记录",
            "+sdown" => "超时未回复：这个哨兵认为它已下线",
            "-sdown" => "又有回复了：这个哨兵认为它已上线",
            "+odown" => "达到法定人数，一致认为主节点下线：可以故障转移",
            "-odown" => "法定人数不再认为主节点下线",
            "+new-epoch" => "配置纪元增加：开始选举领导者",
            "+try-failover" => "想要主导故障转移，请求投票",
            "+vote-for-leader" => "为本纪元的领导者投票",
            "+elected-leader" => "赢得投票：由它独自执行故障转移",
            "+failover-state-select-slave" => "领导者挑选最适合提升的副本",
            "-failover-abort-no-good-slave" => "没有可提升的副本：故障转移中止",
            "+selected-slave" => "选中这个副本成为新的主节点",
            "+failover-state-send-slaveof-noone" => "领导者向该副本发送 REPLICAOF NO ONE",
            "+failover-state-wait-promotion" => "等待该副本报告角色为主节点",
            "+promoted-slave" => "该副本已报告自己是主节点",
            "+failover-state-reconf-slaves" => "通知其他副本跟随新的主节点",
            "+slave-reconf-sent" => "已向该副本发送 REPLICAOF 新主节点",
            "+slave-reconf-inprog" => "该副本已切换主节点，正在同步",
            "+slave-reconf-done" => "该副本已与新主节点同步",
            "-slave-reconf-sent-timeout" => "有副本未及时切换；继续进行",
            "+failover-end" => "故障转移完成：所有副本都已重新配置",
            "+failover-end-for-timeout" => "故障转移超时；副本仍会跟随",
            "+switch-master" => "客户端现在必须使用新的主节点地址",
            "+failover-detected" => "有副本被其他方提升为主节点",
            "+config-update-from" => "采用来自另一个哨兵的更新配置",
            "+convert-to-slave" => "旧主节点回来了，被改为副本",
            "+fix-slave-config" => "有副本跟随了错误的主节点：已修正",
            "+role-change" => "新报告的角色与哨兵的配置一致",
            "-role-change" => "新报告的角色与哨兵的配置不一致",
            "+reboot" => "实例已重启（run id 变了）",
            "-failover-abort-not-elected" => "投票落选；稍后重试",
            "-failover-abort-slave-timeout" => "选中的副本未能及时提升",
            "+tilt" => "时钟/调度异常：停止行动 30 秒",
            "-tilt" => "tilt 结束：恢复正常",
            "+set" => "哨兵的某个设置已更改（SENTINEL SET）",
            "+sentinel-address-switch" => "某个哨兵的地址变了",
            "+sentinel-address-update" => "某个哨兵的地址已更新",
            "+sentinel-invalid-addr" => "某个哨兵公布了无效地址",
            "-cmd-link-reconnection" | "-pubsub-link-reconnection" => "到它的哨兵连接已重新建立",
            "+script-child" | "-script-child" | "-script-error" | "-script-timeout" => {
                "运行了通知/重新配置脚本"
            }
            _ => english,
        }
    }
    fn notice(&self, notice: &Notice) -> String {
        match notice {
            Notice::NoCommandHere => "这里没有可运行的命令。".into(),
            Notice::ShownNotRun => "这段只展示，不运行（run=false）。".into(),
            Notice::AlreadyRunning => "这条命令正在运行；Ctrl-C 可取消。".into(),
            Notice::NothingInStep => "本步没有要运行的命令。".into(),
            Notice::NoReplay => "之前的步骤里没有可重放的命令。".into(),
            Notice::Replaying { commands, upto } => {
                format!("正在重放第 1-{upto} 步的 {commands} 条命令。")
            }
            Notice::ReplayStopped {
                id,
                passed,
                total,
                upto,
            } => format!(
                "重放停止：`{id}` 失败（第 1-{upto} 步的 {total} 条命令中通过了 {passed} 条）。"
            ),
            Notice::ReplayDone {
                passed,
                total,
                upto,
            } => format!("重放完成：第 1-{upto} 步的 {total} 条命令中通过了 {passed} 条。"),
            Notice::Cancelled => "已取消。".into(),
            Notice::Cancelling => "正在取消…".into(),
            Notice::NothingRunning => "没有正在运行的命令。按 q 退出。".into(),
            Notice::Copied => "命令已复制到剪贴板（OSC 52）。".into(),
            Notice::NoSteps => "这个课程没有步骤。".into(),
            Notice::NoCommands => "这个课程没有命令。".into(),
            Notice::SearchCleared => "已清除搜索。".into(),
            Notice::NoSearch => "没有搜索：按 / 开始。".into(),
            Notice::NotFound(query) => format!("未找到：{query}"),
            Notice::SearchKept { query, at, found } => {
                format!("/{query}：第 {at}/{found} 处 · n / N 下一处 / 上一处 · Esc 清除")
            }
            Notice::Match {
                query,
                at,
                found,
                wrapped,
            } => {
                let wrapped = match wrapped {
                    Some(true) => "（从头开始）",
                    Some(false) => "（从末尾开始）",
                    None => "",
                };
                format!("/{query}：第 {at}/{found} 处{wrapped}")
            }
            Notice::Wrapping(false) => "输出不再自动换行：←/→ 左右滚动，w 恢复换行".into(),
            Notice::Wrapping(true) => "输出自动换行".into(),
            Notice::PanNeedsNoWrap => "输出是自动换行的：先按 w 取消换行，再用 ←/→".into(),
            Notice::NoJob(id) => format!("`{id}` 没有正在运行的后台任务。"),
            Notice::StoppingJob(id) => format!("正在停止 `{id}` 的后台任务…"),
            Notice::WelcomeBack => "欢迎回来（--reset 从头开始）。".into(),
            Notice::WelcomeBackAt(step) => format!(
                "欢迎回来：第 {step} 步。R 重放第 1-{} 步（它们的变量和后台任务已不在）；--reset 从头开始。",
                step - 1
            ),
            Notice::NothingToExport => "还没有可导出的内容：本次会话还没有运行过命令。".into(),
            Notice::WritingTranscript => "正在写入记录…".into(),
            Notice::Connecting(context) => format!("正在连接 {context}…"),
            Notice::ClusterNotConfirmed => "未运行：没有确认集群目标。".into(),
            Notice::CleaningUp(n) => format!("退出前清理：运行 {n} 条标记为 always=true 的命令…"),
            Notice::EditNeedsIdle => "只能编辑空闲、可运行的命令。".into(),
            Notice::EditInteractive => "交互式命令按原样运行；按 c 可复制。".into(),
            Notice::EditReverted => "已恢复课程原来的命令。按 Enter 运行。".into(),
            Notice::Edited => "已编辑：按 Enter 运行你的版本，按 E 放弃修改。".into(),
            Notice::NoEditToDrop => "这条命令没有可放弃的修改。".into(),
            Notice::ReadOnly { pid, lock } => {
                let who = pid.map_or("另一个 kubetutor".to_string(), |p| {
                    format!("另一个 kubetutor（pid {p}）")
                });
                format!(
                    "只读：{who} 已打开这个课程并管理其进度；这里的操作都不会保存（锁文件 {lock}）。"
                )
            }
            Notice::FrontMatterChanged => {
                "课程的 front matter 改了：重启 kubetutor 才会生效（其余内容也没有重新加载）。"
                    .into()
            }
            Notice::ReloadWaits(ReloadWait::RunningCommand) => {
                "课程文件已修改：当前命令结束后重新加载。".into()
            }
            Notice::ReloadWaits(ReloadWait::Job(id)) => format!(
                "课程文件已修改：停止 `{id}` 的后台任务（s）后重新加载：它的命令已移动或删除。"
            ),
            Notice::NotReloaded(problem) => format!("没有重新加载，文件有错误：{problem}"),
            Notice::Captured {
                cell,
                var,
                complete,
            } => {
                let saved = format!("{cell}：输出已保存为 ${var}");
                match complete {
                    Some(c) => format!("{saved} · {}", completion(c)),
                    None => saved,
                }
            }
            Notice::LessonComplete(c) => completion(c),
            Notice::NeedsEnv(name) => {
                format!("未运行：课程需要 ${name}（在环境中设置，或回答提问）。")
            }
            Notice::LeftTerminal => {
                format!("已离开终端（{LEAVE}）；它仍在运行。按 Enter 返回，Ctrl-C 停止。")
            }
            Notice::ProgressCorrupt(path) => format!("保存的进度无法读取；已移到 {path}。"),
            Notice::NotRun(why) => format!("未运行：{why}"),
            Notice::ResetFailed(e) => format!("无法重置进度：{e}"),
            Notice::CopyFailed(e) => format!("复制失败：{e}"),
            Notice::CopyUnsure { tmux: true } => "命令已通过 OSC 52 发到剪贴板；在 tmux 里需要 `set -g set-clipboard on` 才能到达你的终端。".into(),
            Notice::CopyUnsure { tmux: false } => "命令已通过 OSC 52 发到剪贴板；如果没有收到，说明你的终端忽略 OSC 52。".into(),
            Notice::CopyUnsupported(name) => {
                format!("{name} 不支持 OSC 52：请用鼠标选中命令（Shift+拖动）来复制。")
            }
            Notice::TranscriptWritten { path, commands } => {
                format!("记录已写入：{path}（{commands} 条命令及其输出）")
            }
            Notice::TranscriptFailed(e) => format!("记录没有写入：{e}"),
            Notice::NoEditor => "没有编辑器：设置 $EDITOR（例如 export EDITOR=nano）才能编辑命令。".into(),
            Notice::EditorQuotes { editor, error } => {
                format!("无法解析 $EDITOR（{editor}）：{error}；请修正引号。")
            }
            Notice::EditorFile(e) => format!("无法用临时文件保存修改：{e}"),
            Notice::EditorFailed { program, why } => {
                format!("{program} 失败（{why}）；命令没有运行。")
            }
            Notice::PodsStartWithCluster => "pods：确认集群后开始（第一条 kubectl 命令时）".into(),
            Notice::PodsNotUsed => "pods：这个课程没有配置集群".into(),
            Notice::SentinelWaiting(target) => format!("sentinel：等待 {target}"),
            Notice::SentinelNotUsed => "sentinel：这个课程不使用".into(),
        }
    }
    fn search_found(&self, lines: usize) -> String {
        match lines {
            0 => "  未找到".to_string(),
            n => format!("  {n} 行"),
        }
    }
}

fn completion(c: &Completion) -> String {
    let mut text = format!(
        "✓ 课程完成：{}/{} 步完成，{} 个单元通过，命令共运行 {}",
        c.done, c.judged, c.passed, c.ran
    );
    if let Some((old, new, secs)) = &c.failover {
        text.push_str(&format!("；故障转移 {old} → {new}，用时 {secs} 秒"));
    }
    if let Some(secs) = &c.unavailable {
        text.push_str(&format!("，写入不可用 {secs} 秒"));
    }
    text
}
