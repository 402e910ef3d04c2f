# 流动人口服务管理信息系统 — 界面文字（简体中文，默认语言）
# 每个键在 en.ftl 中都有对应的英文；测试会核对模板和代码中用到的每个键。

## 通用
app-name = 流动人口服务管理信息系统
lang-name = 中文
skip-to-content = 跳到正文
footer-note = 本系统数据仅限管辖范围内工作使用，请妥善保管居民个人信息。
print = 打印
nav-label = 主导航
nav-home = 首页
nav-residents = 流动人口
nav-register = 登记流入
nav-houses = 出租房屋
nav-employers = 用工单位
nav-outflows = 流出人口
search-label = 查找人员
search-placeholder = 身份证号、姓名、拼音首字母或电话
search-button = 查找

## 错误页
error-title = 无法显示此页
error-not-found = 没有找到该记录，或该记录不在您的管辖范围内。
error-internal = 服务器出错，请稍后再试；如仍出错请联系系统管理员。
error-back-home = 返回首页
error-not-a-number = 请填写数字
error-domicile-required = 请选择户籍地，至少选到省
error-destination-town = 去向请选到乡镇（街道）一级

## 表单
form-choose = 请选择
form-not-given = 未填写
form-none-chosen = 不选择
form-cancel = 取消
form-error-summary = 有 { $n } 处填写有误，请按提示修改后再提交。

## 列表
list-total = 共 { $n } 条
list-empty = 没有符合条件的记录
pager-label = 分页
pager-prev = 上一页
pager-next = 下一页
filter-label = 筛选条件
filter-more = 更多筛选条件
filter-apply = 筛选
filter-clear = 清除条件
filter-remove = 去掉条件
filter-any = 不限
filter-all-units = 全部单位
filter-origin-province = 户籍省份
filter-destination-province = 去向省份
filter-arrived-from = 来本地日期（起）
filter-arrived-to = 来本地日期（止）
filter-house-chip = 出租房屋：{ $name }
filter-employer-chip = 用工单位：{ $name }
col-name = 姓名
col-age = 年龄
col-unit = 所属单位
col-status = 状态
col-origin = 户籍省份
chart-show-data = 查看数据

## 居住状态
status-current = 在住（已登记和在住）
status-registered = 已登记
status-active = 在住
status-departed = 已注销
status-any = 全部

## 首页
home-title = 工作台
home-up = 返回上级单位
home-figures = 主要数据
home-active = 现有流动人口
home-arrivals-month = 本月流入
home-departures-month = 本月注销
home-houses = 出租房屋
home-employers = 用工单位
home-outflow = 流出人口
home-chart-flows = 近24个月流入与注销人数
home-chart-origins = 现有流动人口户籍地分布
home-series-arrivals = 流入
home-series-departures = 注销
home-departures-unknown = 注销记录过多，暂无法按月统计注销人数。
home-month = 月份
home-province = 省份
home-origin-other = 其他省份
home-children = 下级单位
home-no-children = 没有下级单位
home-todo = 待办事项
home-todo-empty = 暂无待办事项。
home-quick-register = 登记新流入人员
home-quick-unconfirmed = 查看待核实的登记
home-quick-unfiled = 查看未备案的出租房屋

## 流动人口列表
residents-title = 流动人口

## 登记表
register-title = 流动人口登记（来有登记）
register-intro = 带 * 的为必填项。输入身份证号后将自动核对校验位并带出出生日期和性别。
register-identity = 身份信息
register-stay = 居住信息
register-other = 其他信息
register-submit = 提交登记
field-id-number = 公民身份号码
field-id-number-hint = 18位，最后一位可以是X；旧的15位号码会自动升位。
field-birth-date = 出生日期
field-sex = 性别
field-name = 姓名
field-ethnicity = 民族
field-phone = 联系电话
field-domicile = 户籍地
field-domicile-address = 户籍详细地址
field-domicile-address-hint = 村（社区）以下的街路巷、门牌号
field-unit = 居住社区（网格）
field-arrived-on = 来本地日期
field-reason = 暂住事由
field-intended-stay = 拟居住时间（月）
field-intended-stay-hint = 不清楚可不填
field-current-address = 现居住地址
field-house = 出租房屋
field-house-search = 查找出租房屋
field-house-search-hint = 输入地址或房东姓名的开头
field-employer = 用工单位
field-employer-search = 查找用工单位
field-employer-search-hint = 输入单位名称或统一社会信用代码的开头
field-marital-status = 婚姻状况
field-education = 学历
field-political-status = 政治面貌
field-occupation = 职业
field-uscc = 统一社会信用代码
field-destination = 去向
field-destination-address = 去向详细地址
field-departed-on = 离开日期
field-departure-reason = 离开原因
field-departure-reason-hint = 如：返乡、工作调动
id-derived-placeholder = 由身份证号自动带出
id-typed-so-far = 已输入 { $n } 位，共18位
id-valid = 号码有效，签发地：{ $county }
id-valid-unknown-county = 号码有效，但前6位地址码不在1980年以来的县级区划中，请核对证件

## 区划选择
picker-province = 省（自治区、直辖市）
picker-city = 市（地区、州）
picker-county = 县（市、区）
picker-town = 乡镇（街道）
picker-village = 村（社区）
picker-refresh = 更新下级选项
picker-chosen = 已选：

## 一人一档
person-title = { $name } 的档案
person-file = 一人一档
person-registered = 登记成功。
person-departed = 已办理注销。
person-not-here = 不在本地居住
person-register-departure = 登记离开（注销）
person-contact-card = 打印联系卡
person-identity = 身份信息
person-current = 当前居住
person-no-current = 目前没有在本辖区居住的记录。
person-stays = 居住经历
person-until-now = 至今
person-went-to = 去向：{ $place }
person-history = 修改记录
person-age = { $n } 岁
person-months = { $n } 个月
person-issuing-county = 身份证签发地
history-at = 时间
history-record = 记录
history-action = 操作
history-actor = 操作人
history-created = 新建
history-updated = 修改
history-arrival = 登记流入
history-activated = 核实在住
history-departed = 注销
history-record-person = 人员档案
history-record-residence = 居住记录

## 注销
departure-title = 登记离开：{ $name }
departure-heading = 登记离开（走有注销）
departure-back = 返回档案
departure-already = 这次居住已经注销，不能重复注销。
departure-when = 离开时间
departure-where-hint = 请尽量选到乡镇（街道）；不清楚去向可以不选。
departure-submit = 确认注销

## 出租房屋
houses-title = 出租房屋
houses-search-label = 地址或房东姓名
house-page = 出租房屋
house-details = 房屋情况
house-address = 地址
house-landlord = 房东（出租人）
house-landlord-person = 个人
house-landlord-company = 单位
house-rooms = 出租间数
house-usage = 用途
house-filing = 备案
house-filed = 已备案
house-not-filed = 未备案
house-filed-on = { $date } 备案
house-agreement = 治安责任书
house-agreement-on = { $date } 签订
house-no-agreement = 未签订
house-add-tenant = 登记新租客
house-tenants-list = 在流动人口中查看
house-tenants-now = 现住租客（{ $n } 人）
house-tenants-before = 以往租客（{ $n } 人）
link-since = 起始日期
link-until = 结束日期

## 用工单位
employers-title = 用工单位
employers-search-label = 单位名称或信用代码
employer-page = 用工单位
employer-details = 单位情况
employer-name = 单位名称
employer-representative = 法定代表人
employer-declared = 申报外来务工人数
employer-current = 登记在岗人数
employer-add-worker = 登记新员工
employer-workers-list = 在流动人口中查看
employer-workers-now = 现有员工（{ $n } 人）
employer-workers-before = 以往员工（{ $n } 人）

## 流出人口
outflows-title = 流出人口
outflow-page = 流出人口
outflow-details = 流出情况
outflow-left-on = 外出日期
outflow-employer = 务工单位
outflow-contact = 联系电话
outflow-away = 在外
outflow-returned = 已返回
outflow-family = 留守家庭成员
outflow-no-family = 没有登记留守老人或儿童
outflow-relation = 关系
outflow-kind = 类别
outflow-elderly = 留守老人
outflow-child = 留守儿童

## 便民服务联系卡
card-title = 流动人口便民服务联系卡
card-title-for = { $name } 的联系卡
card-print = 打印联系卡
card-back = 返回档案
card-print-hint = 用A4纸打印，沿虚线剪下后对折，正面为登记信息，背面为服务事项和联系方式。
card-front = 正面
card-back-side = 背面
card-community = 所在社区
card-registered-on = 登记日期
card-motto = 来有登记　走有注销
card-services = 可以办理的服务
card-service-permit = 居住证办理与签注
card-service-family-planning = 计生与妇幼健康
card-service-vaccination = 儿童预防接种
card-service-schooling = 子女入学咨询
card-service-employment = 就业与劳动保障
card-service-legal-aid = 法律援助
card-contacts = 联系我们
card-station = 流管站
card-coordinator = 协管员
card-phone = 联系电话
card-police = 社区民警
card-reminder = 温馨提示：离开本地或更换住址时，请及时到社区流管站办理注销或变更。
card-issuer = { $unit }流动人口服务管理办公室

## 登录、修改密码、退出
account-change-password = 修改密码
account-sign-out = 退出登录
sign-in-title = 登录
sign-in-username = 用户名
sign-in-password = 密码
sign-in-totp = 动态验证码
sign-in-totp-hint = 启用了双因素认证的账号（管理员必须启用）请填写身份验证器中的 6 位数字，其他账号不填。
sign-in-submit = 登录
sign-in-expired = 登录已超时，请重新登录。
sign-in-signed-out = 您已安全退出。
password-title = 修改密码
password-required = 您的密码需要修改（首次登录、密码被重置或已过期），修改后才能继续使用系统。
password-current = 当前密码
password-new = 新密码
password-new-hint = 须包含小写字母、大写字母、数字、符号中的至少三类，不能包含用户名，不能是常见密码。
password-confirm = 再次输入新密码
password-mismatch = 两次输入的新密码不一致
password-submit = 保存新密码
password-changed = 密码已修改。
error-refused = 无法完成此请求。
error-no-page = 没有这个页面。

## 修改档案、查看完整号码、房屋迁入租户、年龄段筛选
person-edit = 修改档案
person-saved = 修改已保存。
history-changed = 修改内容
edit-title = 修改 { $name } 的档案
edit-intro = 身份证号码不能修改；改错的号码请注销后重新登记。带 * 的为必填项。
edit-id-fixed = 身份证号码登记后不能修改
edit-stay = 当前居住
edit-phone-keep = 现登记号码 { $phone }；不填则保留原号码
edit-phone-none = 尚未登记联系电话
edit-phone-clear = 删除原号码
edit-submit = 保存修改
edit-conflict = 这份档案刚刚被其他人修改过，请重新打开后再改。
reveal-open = 查看完整号码
reveal-reason = 查看理由
reveal-reason-hint = 5至200个字，例如：核实身份办理居住证。理由和查看记录会写入审计日志。
reveal-submit = 显示完整号码
reveal-done = 已显示完整号码，本次查看已记入审计日志。
reveal-shown = 号码为完整显示；刷新页面后重新隐藏。
tenant-move-title = 迁入租户
tenant-move-intro = 查找已登记在住的人员，迁入本房屋。从其他房屋迁来时，原房屋的租住记录自动结束。
tenant-search = 查找人员
tenant-find = 查找
tenant-rents-now = 现租住房屋
tenant-action = 操作
tenant-here = 本房屋
tenant-add = 迁入：{ $name }
tenant-move = 迁入本房屋：{ $name }
tenant-moved = 租户已迁入本房屋。
filter-age-band = 年龄段
age-band-under-16 = 16岁以下
age-band-16-59 = 16至59岁
age-band-60-plus = 60岁及以上
